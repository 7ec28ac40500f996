/** The round trip's floor: a bare `ws` server that sends every frame straight back (a bench child). */
import { WebSocketServer } from 'ws'
import { serveAsChild } from '../../relay/bench/child.js'

await serveAsChild(
  () =>
    new Promise((resolve) => {
      const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false }, () => {
        const { port } = wss.address() as { port: number }
        resolve({
          url: `ws://127.0.0.1:${port}`,
          close: () => new Promise<void>((done) => wss.close(() => done())),
        })
      })
      wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })))
    }),
)
