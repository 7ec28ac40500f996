/** Output helpers: one line per event, ANSI colours only on a terminal (never cursor movement). */

const useColor = process.stdout.isTTY === true && !('NO_COLOR' in process.env) && process.env.TERM !== 'dumb'

const paint =
  (open: number, close: number) =>
  (text: string): string =>
    useColor ? `\x1b[${open}m${text}\x1b[${close}m` : text

export const bold = paint(1, 22)
export const dim = paint(2, 22)
export const red = paint(31, 39)
export const green = paint(32, 39)
export const yellow = paint(33, 39)
export const magenta = paint(35, 39)
export const cyan = paint(36, 39)

/** Removes ANSI escape sequences (the terminal QR code carries some). */
export function stripAnsi(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI escapes is the point
  return text.replace(/\x1b\[[0-9;]*m/g, '')
}

export const colorEnabled = useColor

let muted = false

/** After Ctrl-C: the steps still unwinding print nothing more. */
export function mute(): void {
  muted = true
}

export function line(text = ''): void {
  if (!muted) process.stdout.write(`${text}\n`)
}

export function heading(index: number, total: number, title: string): void {
  line()
  line(bold(`[${index}/${total}] ${title}`))
}

export const DAPP = cyan('dApp  ')
export const WALLET = magenta('wallet')

export function dapp(text: string): void {
  line(`  ${DAPP} ${text}`)
}

export function wallet(text: string): void {
  line(`  ${WALLET} ${text}`)
}

export function ok(text: string): void {
  line(`  ${green('✓')} ${text}`)
}

export function fail(text: string): void {
  line(`  ${red('✗')} ${text}`)
}

export function info(text: string): void {
  line(`  ${dim('·')} ${text}`)
}

/** 1234.5 → "1235 ms" */
export function ms(value: number): string {
  return `${Math.round(value)} ms`
}

/** 0xabcdef…1234 */
export function short(hex: string, keep = 6): string {
  return hex.length <= 2 + keep * 2 + 1 ? hex : `${hex.slice(0, 2 + keep)}…${hex.slice(-keep)}`
}

/** Local wall-clock time HH:MM:SS. */
export function clock(unixSeconds: number): string {
  const d = new Date(unixSeconds * 1000)
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':')
}

/** "123456" → "123 456", easier to compare by eye. */
export function sas(code: string): string {
  return code.length === 6 ? `${code.slice(0, 3)} ${code.slice(3)}` : code
}
