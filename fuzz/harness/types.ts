import type * as fc from 'fast-check'

/** What one parser is fed: raw bytes, or text (the pairing URI). */
export type Input = Uint8Array | string

/**
 * A fuzz target: one parser (or one parser family) behind its public function names. New parsers
 * are one entry in fuzz/registry.ts.
 */
export type Target = {
  name: string
  /** Source files of the parser, for the coverage report (relative to the repo root). */
  files: readonly string[]
  kind: 'bytes' | 'text' | 'json'
  /** Corpus folder under fuzz/corpus/ when shared with another target (default: `name`). */
  corpus?: string
  /** Largest input the mutator builds (a bit over what the parser allows, to test the cap). */
  maxLength: number
  /**
   * Rejections the parser documents: PairlineError codes, or 'null' for decoders that return null.
   * Anything else thrown (TypeError, RangeError, an undocumented code) fails the run.
   */
  rejects: readonly string[]
  /** Valid encodings: the corpus seeds (fuzz/corpus/<name>/ is written from them and read back). */
  seeds(): Input[] | Promise<Input[]>
  /** Property-based inputs (fast-check): valid or near-valid values built from the grammar. */
  generate?: fc.Arbitrary<Input>
  /**
   * Builds the parser under test once per run (keys, a receiver, a handshake). `check` feeds it one
   * input and returns an outcome label for the counts; it throws a PairlineError for a documented
   * rejection, or an Error (e.g. from `expect`) for a broken invariant.
   */
  setup(): Promise<Harness> | Harness
}

export type Harness = {
  check(input: Input): string | Promise<string>
}

export type Stats = {
  target: string
  seed: number
  cases: number
  outcomes: Record<string, number>
  ms: number
  maxCaseMs: number
  heapMiB: { before: number; after: number }
}
