import { createInterface, type Interface } from 'node:readline'

/**
 * Yes/no questions on the terminal for --interactive. Lines typed (or piped) before a question is
 * asked are kept for it, so `printf 'y\ny\n' | pnpm demo -- --interactive` works too.
 */
export class Prompter {
  readonly #rl: Interface
  readonly #lines: string[] = []
  #waiting: ((line: string | null) => void) | null = null
  #closed = false

  constructor(onInterrupt: () => void) {
    this.#rl = createInterface({ input: process.stdin, output: process.stdout })
    this.#rl.on('line', (line) => {
      const w = this.#waiting
      this.#waiting = null
      if (w) w(line)
      else this.#lines.push(line)
    })
    this.#rl.on('close', () => {
      this.#closed = true
      const w = this.#waiting
      this.#waiting = null
      w?.(null)
    })
    // On a terminal, readline takes Ctrl-C itself (raw mode): pass it on.
    this.#rl.on('SIGINT', onInterrupt)
  }

  /** Resolves true for y/yes; anything else, or the end of input, is no. */
  async ask(question: string): Promise<boolean> {
    this.#rl.setPrompt(question)
    this.#rl.prompt()
    let line = this.#lines.shift()
    if (line === undefined && !this.#closed)
      line = (await new Promise<string | null>((r) => (this.#waiting = r))) ?? undefined
    // Piped answers are not echoed by the terminal: echo them, so the log reads like a session.
    if (!process.stdin.isTTY || line === undefined) process.stdout.write(`${line ?? '(end of input: no)'}\n`)
    return /^y(es)?$/i.test((line ?? '').trim())
  }

  /** Stops reading; a question still open stays unanswered (the process is on its way out). */
  close(): void {
    this.#waiting = null
    this.#rl.close()
  }
}
