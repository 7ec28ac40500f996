/** `@pairline/testkit/relay`: helpers for the relay's tests (and anyone testing against a relay). */

export { waitFor } from '../wait.js'
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
