/** `@pairline/testkit/relay`: helpers for the relay's tests (and anyone testing against a relay). */

export { waitFor, waitUntil } from '../wait.js'
export { killRelayClis, REPO_ROOT, type RelayCli, relayListening, spawnRelayCli } from './cli.js'
export {
  type Closed,
  type ErrorReply,
  hex,
  type Message,
  type Outcome,
  randomId,
  randomTopic,
  TestClient,
  type Unsolicited,
} from './client.js'
export {
  FakeClock,
  Harness,
  type HttpResponse,
  httpGet,
  httpUrl,
  metric,
  type RawSocket,
  rawUpgrade,
} from './harness.js'
export { type RelayFixture, type UseRelayOptions, useRelay } from './inProcess.js'
export { LossyBroker } from './lossy.js'
export { type RawWire, type ReplyLine, rawWire } from './rawWire.js'
export { halfOpen, selfSignedCert, type TestCert } from './sockets.js'
