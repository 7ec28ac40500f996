/**
 * Bundle rows: what an app adds to its browser bundle (esbuild, browser, minified, ESM, every
 * dependency inlined, gzip level 9), ours beside WalletConnect's sign-client and the MetaMask SDK
 * bundled the same way. Bytes, not time: one build each is exact.
 */
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'
import { absoluteGoal, type Row } from './measure.js'

const here = new URL('.', import.meta.url).pathname

export async function gzipKiB(code: string, external: string[] = []): Promise<number> {
  const out = await build({
    stdin: { contents: code, resolveDir: here, loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    // esbuild drops its default 'module' condition once any is given: put it back, or packages
    // that ship ESM under it (WalletConnect's) come in as CommonJS, unshaken
    conditions: ['@pairline/source', 'module'],
    define: { 'process.env.NODE_ENV': '"production"' },
    external,
    write: false,
    logLevel: 'silent',
  })
  return gzipSync(out.outputFiles[0]!.contents, { level: 9 }).length / 1024
}

const CREATE_DAPP = `export { createDapp } from '@pairline/sdk'`
const WALLET_CLIENT = `export { createWalletClient, custom } from 'viem'`

export async function bundleRows(): Promise<Row[]> {
  const [dapp, wallet, viem, dappViem, wc, metamask, wagmi, modal] = await Promise.all([
    gzipKiB(CREATE_DAPP),
    gzipKiB(`export { createWallet } from '@pairline/sdk/wallet'`),
    gzipKiB(WALLET_CLIENT),
    gzipKiB(`${CREATE_DAPP}\n${WALLET_CLIENT}`),
    gzipKiB(`export { SignClient } from '@walletconnect/sign-client'`),
    gzipKiB(`export { MetaMaskSDK } from '@metamask/sdk'`),
    gzipKiB(`export { pairline } from '@pairline/sdk/wagmi'`),
    gzipKiB(`export * from '@pairline/sdk/modal'`, ['qrcode']),
  ])
  const section = 'bundle (gzip, esbuild browser minified)'
  return [
    absoluteGoal(
      {
        section,
        quantity: '`createDapp` standalone',
        unit: 'KiB',
        ours: [dapp],
        baselineName: 'WalletConnect sign-client 2.25.0 (`SignClient`)',
        baseline: [wc],
      },
      20,
    ),
    {
      section,
      quantity: '`createDapp` standalone, against the MetaMask SDK',
      unit: 'KiB',
      ours: [dapp],
      baselineName: 'MetaMask SDK 0.34.0 (`MetaMaskSDK`)',
      baseline: [metamask],
    },
    absoluteGoal(
      {
        section,
        quantity: "`createDapp` added to an app that has viem's wallet client",
        unit: 'KiB',
        ours: [dappViem - viem],
        note: `viem's createWalletClient + custom alone: ${viem.toFixed(1)} KiB`,
      },
      12,
    ),
    {
      section,
      quantity: 'wagmi connector `pairline` (wagmi itself not counted)',
      unit: 'KiB',
      ours: [wagmi],
    },
    { section, quantity: 'connect modal (QR rendering aside)', unit: 'KiB', ours: [modal] },
    { section, quantity: '`createWallet` (viem inside)', unit: 'KiB', ours: [wallet] },
  ]
}
