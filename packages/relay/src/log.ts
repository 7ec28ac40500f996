/**
 * The relay's only output channel. Fields are counts, codes and durations: never a payload,
 * a topic or a message id. The default logger is silent; the CLI prints to stderr.
 */
export type RelayLogger = (
  level: 'info' | 'warn' | 'error',
  message: string,
  fields?: Record<string, number | string>,
) => void

export const silentLogger: RelayLogger = () => {}

export const consoleLogger: RelayLogger = (level, message, fields) => {
  const extra = fields
    ? ` ${Object.entries(fields)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}`
    : ''
  process.stderr.write(`${new Date().toISOString()} ${level} ${message}${extra}\n`)
}
