import { describe, expect, it } from 'vitest'
import { ErrorCode, isPairlineError, PairlineError } from './index.js'

describe('PairlineError', () => {
  it('carries a stable code, a short message and details', () => {
    const err = new PairlineError(ErrorCode.UriMalformed, 'The pairing URI is malformed.', {
      details: 'missing field "s"',
    })
    expect(err.code).toBe('URI_MALFORMED')
    expect(err.shortMessage).toBe('The pairing URI is malformed.')
    expect(err.message).toMatchInlineSnapshot(`
      "The pairing URI is malformed.

      Details: missing field "s"
      Code: URI_MALFORMED"
    `)
    expect(isPairlineError(err)).toBe(true)
    expect(isPairlineError(err, ErrorCode.UriExpired)).toBe(false)
    expect(isPairlineError(new Error('x'))).toBe(false)
  })

  it('walks the cause chain', () => {
    const root = new TypeError('root')
    const mid = new PairlineError(ErrorCode.HandshakeFailed, 'mid', { cause: root })
    const top = new PairlineError(ErrorCode.HandshakeFailed, 'top', { cause: mid })
    expect(top.walk()).toBe(root)
    expect(top.walk((e) => e instanceof PairlineError && e.shortMessage === 'mid')).toBe(mid)
  })

  it('has unique codes', () => {
    const values = Object.values(ErrorCode)
    expect(new Set(values).size).toBe(values.length)
  })
})

describe('docs', () => {
  it('every error code is listed in docs/PROTOCOL.md §10', async () => {
    const { readFile } = await import('node:fs/promises')
    const doc = await readFile(new URL('../../../../docs/PROTOCOL.md', import.meta.url), 'utf8')
    const section = doc.slice(doc.indexOf('## 10. Error codes'), doc.indexOf('## 11.'))
    const listed = new Set([...section.matchAll(/^\| `([A-Z_]+)`\s*\|/gm)].map((m) => m[1]))
    expect(Object.values(ErrorCode).filter((c) => !listed.has(c))).toEqual([])
    // and the table lists nothing the code does not have
    expect([...listed].filter((c) => !(Object.values(ErrorCode) as string[]).includes(c as string))).toEqual(
      [],
    )
  })

  it('every error code is raised somewhere in the SDK (or mapped from a provider number)', async () => {
    const { readdir, readFile } = await import('node:fs/promises')
    const root = new URL('../', import.meta.url)
    const files = (await readdir(root, { recursive: true })).filter(
      (f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.startsWith('errors/codes'),
    )
    const text = (await Promise.all(files.map((f) => readFile(new URL(f, root), 'utf8')))).join('\n')
    const unused = Object.entries(ErrorCode).filter(
      ([name]) => !new RegExp(`ErrorCode\\.${name}\\b`).test(text),
    )
    expect(unused.map(([, code]) => code)).toEqual([])
  })
})
