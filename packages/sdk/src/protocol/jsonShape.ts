/**
 * Structure checks JSON.parse does not make (PROTOCOL.md §2, "JSON"): no object repeats a key
 * (JSON.parse silently keeps the last one, another parser may keep the first, so two readers
 * could see two different requests), and nesting stays within MAX_JSON_DEPTH (a 57 KiB frame can
 * nest 28,000 deep, and JSON.stringify, which the SDK runs when it stores a received request,
 * overflows the stack well before that).
 */
export const MAX_JSON_DEPTH = 64

/** Index of the quote that closes the string opening at `start`, or -1. */
function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x5c)
      i++ // backslash: skip the escaped character
    else if (c === 0x22) return i
  }
  return -1
}

/** The problem with `text`'s structure, or null (syntax errors are left to JSON.parse). */
export function jsonShapeProblem(text: string): string | null {
  const stack: (Set<string> | null)[] = [] // a Set of keys per open object, null per open array
  let expectKey = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x22) {
      const end = stringEnd(text, i)
      if (end < 0) return null
      const keys = stack[stack.length - 1]
      if (expectKey && keys) {
        let key: string
        try {
          key = JSON.parse(text.slice(i, end + 1)) as string // unescaped, so "\u0076" is "v"
        } catch {
          return null
        }
        if (keys.has(key)) return 'an object repeats a key'
        keys.add(key)
        expectKey = false
      }
      i = end
    } else if (c === 0x7b || c === 0x5b) {
      if (stack.length >= MAX_JSON_DEPTH) return `nesting is deeper than ${MAX_JSON_DEPTH} levels`
      stack.push(c === 0x7b ? new Set() : null)
      expectKey = c === 0x7b
    } else if (c === 0x7d || c === 0x5d) {
      stack.pop()
      expectKey = false
    } else if (c === 0x2c) {
      expectKey = stack[stack.length - 1] instanceof Set
    }
  }
  return null
}
