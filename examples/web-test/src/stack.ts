import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createRelay, type Relay } from '@pairline/relay'
// The repository's anvil launcher (a test helper in the private testkit, never published).
import { type Anvil, startAnvil } from '@pairline/testkit/anvil'
import { createServer, defaultClientConditions, type LogLevel, type Plugin, type ViteDevServer } from 'vite'
import type { PageConfig } from '../../dapp-web/src/config.js'

export const DAPP_ROOT = fileURLToPath(new URL('../../dapp-web/', import.meta.url))
export const WALLET_ROOT = fileURLToPath(new URL('../../wallet-web/', import.meta.url))
export const WAGMI_ROOT = fileURLToPath(new URL('../../dapp-wagmi/', import.meta.url))

/** How the browser tests start Chromium: headless, no sandbox (root in CI), nothing in the background. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

export const CHAINS = [
  { id: 31337, name: 'Anvil A' },
  { id: 31338, name: 'Anvil B' },
] as const

export type WebStackOptions = {
  /** Relay port; 0 (default) picks a free one. */
  relayPort?: number
  /** Watch files and reload the pages on change (the demo); tests leave it off. */
  watch?: boolean
  logLevel?: LogLevel
}

export type WebStack = {
  relay: Relay
  anvils: Anvil[]
  /** What both pages read from `/config.json`. */
  config: PageConfig
  dappUrl: string
  walletUrl: string
  /** The wagmi dApp (connector + connect modal). */
  wagmiUrl: string
  close(): Promise<void>
}

/** Serves `/config.json`, so the pages learn the relay and chain URLs at runtime. */
function pageConfigPlugin(config: PageConfig): Plugin {
  return {
    name: 'pairline-page-config',
    configureServer(server) {
      server.middlewares.use('/config.json', (_req, res) => {
        res.setHeader('content-type', 'application/json')
        res.setHeader('cache-control', 'no-store')
        res.end(JSON.stringify(config))
      })
    },
  }
}

/** Serves one page directory with Vite (workspace packages from their sources) and `/config.json`. */
export async function servePage(
  root: string,
  config: PageConfig,
  o: WebStackOptions,
): Promise<ViteDevServer> {
  // Test servers pre-bundle dependencies into a directory of their own: the browser, tabs and wagmi
  // tests serve the same page roots at once, and two servers optimizing into one root's shared
  // node_modules/.vite can replace the files a page is loading (the page then stays at "Loading…").
  const cacheDir = o.watch ? undefined : await mkdtemp(join(tmpdir(), 'pairline-vite-'))
  const server = await createServer({
    configFile: false,
    root,
    ...(cacheDir ? { cacheDir } : {}),
    logLevel: o.logLevel ?? 'info',
    clearScreen: false,
    // Workspace packages resolve to their TypeScript sources.
    resolve: { conditions: ['@pairline/source', ...defaultClientConditions] },
    server: {
      host: '127.0.0.1',
      port: 0,
      strictPort: true,
      hmr: o.watch ?? false,
      // Without watching, an edit elsewhere in the monorepo cannot reload a page under test.
      watch: o.watch ? {} : null,
    },
    plugins: [pageConfigPlugin(config)],
  })
  if (cacheDir) {
    const closeServer = server.close.bind(server)
    server.close = async () => {
      await closeServer()
      await rm(cacheDir, { recursive: true, force: true })
    }
  }
  try {
    await server.listen()
  } catch (err) {
    await server.close()
    throw err
  }
  return server
}

function urlOf(server: ViteDevServer): string {
  const url = server.resolvedUrls?.local[0]
  if (!url) throw new Error('The Vite server reports no local URL.')
  return url
}

/**
 * Everything the browser examples need, on 127.0.0.1: a relay, two anvil chains (31337 and 31338)
 * and a Vite dev server for each page (dApp, wallet, wagmi dApp). `close()` stops it all.
 */
export async function startWebStack(o: WebStackOptions = {}): Promise<WebStack> {
  const stops: (() => Promise<unknown>)[] = []
  const close = async () => {
    await Promise.allSettled(stops.splice(0).map((stop) => stop()))
  }
  /** Starts all at once; keeps every one that started so close() stops it even if another failed. */
  async function all<T>(starting: Promise<T>[], stopOf: (v: T) => () => Promise<unknown>): Promise<T[]> {
    const results = await Promise.allSettled(starting)
    for (const r of results) if (r.status === 'fulfilled') stops.push(stopOf(r.value))
    const failed = results.find((r) => r.status === 'rejected')
    if (failed) throw failed.reason
    return results.map((r) => (r as PromiseFulfilledResult<T>).value)
  }
  try {
    const [relay] = await all([createRelay({ port: o.relayPort ?? 0 })], (r) => () => r.close())
    const anvils = await all(
      CHAINS.map((c) => startAnvil({ chainId: c.id })),
      (a) => () => a.stop(),
    )
    const config: PageConfig = {
      relayUrl: relay!.url,
      chains: CHAINS.map((c, i) => ({ id: c.id, name: c.name, rpcUrl: anvils[i]!.rpcUrl })),
    }
    const [dapp, wallet, wagmi] = await all(
      [servePage(DAPP_ROOT, config, o), servePage(WALLET_ROOT, config, o), servePage(WAGMI_ROOT, config, o)],
      (s) => () => s.close(),
    )
    return {
      relay: relay!,
      anvils,
      config,
      dappUrl: urlOf(dapp!),
      walletUrl: urlOf(wallet!),
      wagmiUrl: urlOf(wagmi!),
      close,
    }
  } catch (err) {
    await close()
    throw err
  }
}
