import { describe, expect, it } from 'vitest'
import { utf8 } from './bytes.js'
import { decodeJsonObject } from './json.js'
import { jsonShapeProblem, MAX_JSON_DEPTH } from './jsonShape.js'

const nested = (depth: number) => `{"a":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`

describe('JSON shape (PROTOCOL.md §2)', () => {
  it.each<[string, string, string | null]>([
    ['a plain object', '{"v":1,"t":"req","params":[{"a":1},{"a":2}]}', null],
    ['the same key in sibling objects', '[{"a":1},{"a":1}]', null],
    ['a repeated key', '{"v":1,"v":2}', 'an object repeats a key'],
    ['a repeated key spelled with an escape', '{"v":1,"\\u0076":2}', 'an object repeats a key'],
    ['a repeated key in a nested object', '{"x":{"id":1,"b":[1],"id":2}}', 'an object repeats a key'],
    ['a repeated __proto__', '{"__proto__":1,"__proto__":2}', 'an object repeats a key'],
    ['a key-like string value', '{"a":"a","b":"a"}', null],
    ['quotes and braces inside strings', '{"a":"{\\"a\\":1,\\"a\\":2}","b":"[[[["}', null],
    [`nesting of ${MAX_JSON_DEPTH}`, nested(MAX_JSON_DEPTH), null],
    [
      `nesting of ${MAX_JSON_DEPTH + 1}`,
      nested(MAX_JSON_DEPTH + 1),
      `nesting is deeper than ${MAX_JSON_DEPTH} levels`,
    ],
    ['nesting of 20,000', nested(20_000), `nesting is deeper than ${MAX_JSON_DEPTH} levels`],
    ['an unterminated string (left to JSON.parse)', '{"a":"x', null],
  ])('%s', (_, text, problem) => {
    expect(jsonShapeProblem(text)).toBe(problem)
  })

  it('decodeJsonObject refuses repeated keys, deep nesting and a byte-order mark with PAYLOAD_MALFORMED', () => {
    for (const [text, details] of [
      ['{"v":1,"v":2}', 'an object repeats a key'],
      [nested(1000), `nesting is deeper than ${MAX_JSON_DEPTH} levels`],
      ['\ufeff{"v":1}', 'not valid JSON'],
    ] as const) {
      expect(() => decodeJsonObject(utf8(text), 'session message')).toThrowError(
        expect.objectContaining({
          code: 'PAYLOAD_MALFORMED',
          shortMessage: 'The session message is malformed.',
          details,
        }),
      )
    }
    expect(decodeJsonObject(utf8('{"v":1,"x":{"v":2}}'), 'session message')).toEqual({ v: 1, x: { v: 2 } })
  })

  it('what it accepts, JSON.stringify can store again (the wallet persists received requests)', () => {
    const text = nested(MAX_JSON_DEPTH)
    expect(JSON.stringify(decodeJsonObject(utf8(text), 'x'))).toBe(text)
  })
})
