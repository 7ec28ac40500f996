import { main } from './cli.js'
import { isRelayError } from './errors.js'

main().catch((err: Error) => {
  const code = isRelayError(err) ? ` [${err.code}]` : ''
  process.stderr.write(`pairline-relay: ${err.message}${code}\n`)
  process.exit(2)
})
