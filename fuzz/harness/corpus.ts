import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Input, Target } from './types.js'

/**
 * The corpus kept in the repo: fuzz/corpus/<target>/<hash>.<ext>, one input per file, named by its
 * content so order never matters. Bytes are stored as hex (.hex), text and JSON as they are
 * (.txt, .json). `pnpm fuzz --write-corpus` writes each target's seeds(); inputs added by hand (a
 * crash found once, kept as a regression) stay and are mutated too.
 */
export const CORPUS_ROOT = fileURLToPath(new URL('../corpus/', import.meta.url))

const utf8 = new TextEncoder()
const fromUtf8 = new TextDecoder('utf-8', { fatal: true })

function ext(t: Target): string {
  return t.kind === 'bytes' ? 'hex' : t.kind === 'text' ? 'txt' : 'json'
}

function toHex(b: Uint8Array): string {
  let s = ''
  for (const x of b) s += x.toString(16).padStart(2, '0')
  return s
}

function fromHex(s: string): Uint8Array {
  const clean = s.trim()
  const out = new Uint8Array(clean.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(clean.slice(2 * i, 2 * i + 2), 16)
  return out
}

/** The file text of one input (what is compared for drift). */
export function serialize(t: Target, input: Input): string {
  if (t.kind === 'bytes') return `${toHex(typeof input === 'string' ? utf8.encode(input) : input)}\n`
  return typeof input === 'string' ? input : fromUtf8.decode(input)
}

function fileName(t: Target, text: string): string {
  let h = 0x811c9dc5
  let g = 0x01000193
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 0x01000193)
    g = Math.imul(g ^ text.charCodeAt(i), 0x85ebca6b)
  }
  return `${(h >>> 0).toString(16).padStart(8, '0')}${(g >>> 0).toString(16).padStart(8, '0')}.${ext(t)}`
}

export function readCorpus(t: Target): Map<string, Input> {
  const dir = join(CORPUS_ROOT, t.corpus ?? t.name)
  const out = new Map<string, Input>()
  let names: string[] = []
  try {
    names = readdirSync(dir).sort()
  } catch {
    return out
  }
  for (const name of names) {
    const text = readFileSync(join(dir, name), 'utf8')
    if (name.endsWith('.hex')) out.set(name, fromHex(text))
    else if (name.endsWith('.txt')) out.set(name, text)
    else if (name.endsWith('.json')) out.set(name, utf8.encode(text))
  }
  return out
}

/** The seeds' file names and texts, as `writeCorpus` would write them. */
export async function expectedCorpus(t: Target): Promise<Map<string, string>> {
  const out = new Map<string, string>()
  for (const seed of await t.seeds()) {
    const text = serialize(t, seed)
    out.set(fileName(t, text), text)
  }
  return out
}

export async function writeCorpus(t: Target): Promise<number> {
  const dir = join(CORPUS_ROOT, t.corpus ?? t.name)
  mkdirSync(dir, { recursive: true })
  const files = await expectedCorpus(t)
  for (const [name, text] of files) writeFileSync(join(dir, name), text)
  return files.size
}
