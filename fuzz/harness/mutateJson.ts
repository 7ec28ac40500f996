import type { Rng } from './rng.js'

/**
 * Structure-aware mutations of a JSON document: replace a value anywhere with a hostile one
 * (NaN-like numbers, huge strings, deep nesting, wrong types), add or drop keys, duplicate a key
 * in the text (which JSON.parse resolves silently to the last one). Returns JSON text.
 */

const HOSTILE: (() => unknown)[] = [
  () => null,
  () => true,
  () => 0,
  () => -1,
  () => 1.5,
  () => 2 ** 53,
  () => 2 ** 53 + 2,
  () => -(2 ** 31) - 1,
  () => 2 ** 40 + 1,
  () => 1e308,
  () => '',
  () => 'x'.repeat(65),
  () => 'x'.repeat(1025),
  () => '\ud800',
  () => '😀'.repeat(40),
  () => [],
  () => ({}),
  () => ['eip155:1', 'eip155:1'],
  () => Array.from({ length: 70 }, (_, i) => `eip155:${i}`),
  () => ({ __proto__: null, constructor: 1 }),
  () => 'eip155:1',
  () => 'https://x.example',
  () => `0x${'11'.repeat(20)}`,
]

type Json = null | boolean | number | string | Json[] | { [k: string]: Json }

function paths(
  v: Json,
  at: (string | number)[] = [],
  out: (string | number)[][] = [],
): (string | number)[][] {
  out.push(at)
  if (out.length > 256) return out
  if (Array.isArray(v)) for (const [i, x] of v.entries()) paths(x, [...at, i], out)
  else if (v !== null && typeof v === 'object') for (const k of Object.keys(v)) paths(v[k]!, [...at, k], out)
  return out
}

function setAt(root: Json, path: (string | number)[], value: Json | undefined): Json {
  if (path.length === 0) return value === undefined ? null : value
  let parent = root as Record<string | number, Json>
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, Json>
  const last = path[path.length - 1]!
  if (value === undefined && !Array.isArray(parent)) delete parent[last]
  else parent[last] = value === undefined ? null : value
  return root
}

function deep(r: Rng): string {
  const depth = r.oneIn(2) ? 40 + r.below(40) : 5_000 + r.below(20_000)
  return r.oneIn(2) ? '['.repeat(depth) + ']'.repeat(depth) : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`
}

/** Structural edits need a tree; a seed too deep to walk (a regression input) is used as it is. */
export function mutateJson(seedText: string, r: Rng): string {
  try {
    return mutateTree(seedText, r)
  } catch {
    return seedText
  }
}

function mutateTree(seedText: string, r: Rng): string {
  let v: Json
  try {
    v = JSON.parse(seedText) as Json
  } catch {
    return seedText
  }
  const rounds = 1 + r.below(3)
  let text: string | null = null
  for (let i = 0; i < rounds; i++) {
    const all = paths(v)
    const path = r.pick(all)
    const op = r.below(6)
    if (op <= 2) v = setAt(v, path, HOSTILE[r.below(HOSTILE.length)]!() as Json)
    else if (op === 3) v = setAt(v, path, undefined)
    else if (op === 4 && path.length > 0) {
      const key = r.pick(['extra', '__proto__', 'constructor', 'v', 't', 'seq', 'id'])
      v = setAt(v, [...path.slice(0, -1), key], 1)
    } else {
      text = JSON.stringify(v)
      const marker = '"__deep__"'
      v = setAt(v, path, '__deep__')
      text = JSON.stringify(v).replace(marker, deep(r))
      break
    }
  }
  text ??= JSON.stringify(v)
  if (r.oneIn(8)) {
    // a duplicated key: {"v":1,...} -> {"v":1,"v":2,...}
    const m = /"([A-Za-z]+)":/.exec(text)
    if (m) text = text.replace(m[0], `${m[0]}2,${m[0]}`)
  }
  return text
}
