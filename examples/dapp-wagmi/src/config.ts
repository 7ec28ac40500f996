/** What the page needs to know at runtime, served as `/config.json` by the dev server (`pnpm demo:web`). */
export type ChainConfig = { id: number; name: string; rpcUrl: string }
export type PageConfig = { relayUrl: string; chains: ChainConfig[] }

export async function loadConfig(): Promise<PageConfig> {
  const response = await fetch('/config.json', { cache: 'no-store' })
  if (!response.ok) {
    throw new Error(
      `/config.json answered HTTP ${response.status}: start this page with \`pnpm demo:web\`, which serves it.`,
    )
  }
  const config = (await response.json()) as Partial<PageConfig>
  if (typeof config.relayUrl !== 'string' || !Array.isArray(config.chains) || config.chains.length === 0)
    throw new Error('/config.json needs a relayUrl and at least one chain.')
  return config as PageConfig
}
