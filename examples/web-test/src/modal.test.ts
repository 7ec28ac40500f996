/**
 * The connect modal (`@pairline/sdk/modal`) in real Chromium, against a real relay and a real wallet
 * (createWallet in this process): what it shows at 1280 px and 390 px (screenshots, checked by
 * assertions on the code, buttons and error texts), the QR it draws, copy, open-in-wallet on
 * phones, the failures a person can act on with a retry, keyboard use and axe-core's checks.
 */
import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createRelay, type Relay } from '@pairline/relay'
import { createWallet, type Wallet } from '@pairline/sdk/wallet'
import { ANVIL_KEYS } from '@pairline/testkit/anvil'
import jsQRModule from 'jsqr'
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'
import { privateKeyToAccount } from 'viem/accounts'
import type { ViteDevServer } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodePng } from './png.js'
import { CHROMIUM_ARGS, servePage } from './stack.js'

const jsQR = jsQRModule.default
const CHROMIUM = process.env.PAIRLINE_CHROMIUM ?? '/usr/bin/chromium'
const STEP = 60_000
const ROOT = fileURLToPath(new URL('./modal-page/', import.meta.url))
const ARTIFACTS = fileURLToPath(new URL('../../../test-results/modal/', import.meta.url))
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js')
const account = privateKeyToAccount(ANVIL_KEYS[0])

let relay: Relay
let server: ViteDevServer
let pageUrl: string
let browser: Browser
let wallet: Wallet
const contexts: BrowserContext[] = []

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`The modal test needs Chromium at ${CHROMIUM}; see web-test/README.md.`)
  await mkdir(ARTIFACTS, { recursive: true })
  relay = await createRelay({ port: 0 })
  server = await servePage(ROOT, { relayUrl: relay.url, chains: [] }, { logLevel: 'warn' })
  pageUrl = server.resolvedUrls!.local[0]!
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: STEP,
  })
  wallet = createWallet({
    metadata: { name: 'Modal Test Wallet', url: 'https://wallet.example' },
    accounts: [account],
    chains: [31337],
  })
}, 120_000)

afterAll(async () => {
  await wallet?.close()
  await browser?.close()
  await server?.close()
  await relay?.close()
})

async function openPage(
  width: number,
  phone: boolean,
  colorScheme: 'light' | 'dark' = 'light',
  query = '',
): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width, height: phone ? 844 : 900 },
    deviceScaleFactor: 1,
    isMobile: phone,
    hasTouch: phone,
    colorScheme,
  })
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(pageUrl).origin })
  contexts.push(context)
  const page = await context.newPage()
  page.setDefaultTimeout(STEP)
  await page.goto(`${pageUrl}${query}`)
  return page
}

const modal = (page: Page) => page.locator('pairline-connect')

/** Waits for the modal's `data-state`; an unexpected error state fails at once with its text. */
async function state(page: Page, want: string): Promise<void> {
  const handle = await page.waitForFunction((w) => {
    const el = document.querySelector('pairline-connect') as HTMLElement | null
    const got = el?.dataset.state
    const text = el?.shadowRoot?.getElementById('status')?.textContent ?? ''
    return got === w || (got === 'error' && w !== 'error') ? { got, text } : null
  }, want)
  const { got, text } = (await handle.jsonValue()) as { got: string; text: string }
  expect(got, text).toBe(want)
}

const status = (page: Page) => modal(page).locator('#status').textContent()

async function scan(page: Page): Promise<string> {
  await state(page, 'waiting')
  const png = await modal(page).locator('.qr').screenshot()
  const { width, height, data } = decodePng(png)
  const code = jsQR(data, width, height)
  expect(code, 'no QR code in the modal').not.toBeNull()
  return code!.data
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`) })

describe('the connect modal in Chromium', { timeout: STEP * 2 }, () => {
  it('1280 px: QR, copy, no phone link; the code on both sides; confirm connects', async () => {
    const page = await openPage(1280, false)
    await page.click('#connect')
    const uri = await scan(page)
    expect(uri).toMatch(/^pairline:1\?/)
    expect(await modal(page).getByRole('dialog').getAttribute('aria-modal')).toBe('true')
    expect(await status(page)).toBe('Scan this code with your wallet, or open the link on this device.')
    expect(await modal(page).getByRole('link', { name: 'Open in wallet' }).isVisible()).toBe(false)
    await modal(page).getByRole('button', { name: 'Copy link' }).click()
    await modal(page).getByRole('button', { name: 'Link copied' }).waitFor()
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(uri)
    await shot(page, '1280-waiting')

    const proposal = await wallet.pair(uri)
    await state(page, 'codes')
    const shown = await modal(page).locator('[data-part="code"]').textContent()
    expect(shown?.replace(' ', '')).toBe(proposal.sas)
    expect(shown).toMatch(/^\d{3} \d{3}$/)
    expect(await modal(page).locator('.qr').isVisible()).toBe(false)
    const confirm = modal(page).getByRole('button', { name: 'My wallet shows this code' })
    const differ = modal(page).getByRole('button', { name: 'It does not' })
    expect([await confirm.isVisible(), await differ.isVisible()]).toEqual([true, true])
    // focus moved from the hidden copy button into the code's answers
    expect(
      await page.evaluate(
        () => document.querySelector('pairline-connect')?.shadowRoot?.activeElement?.textContent,
      ),
    ).toBe('My wallet shows this code')
    await shot(page, '1280-codes')

    await confirm.click()
    await state(page, 'confirmed')
    expect(await confirm.isDisabled()).toBe(true)
    const walletSession = await proposal.approve()
    await state(page, 'connected')
    await page.locator('#result[data-status="connected"]').waitFor()
    expect(await page.locator('#result').textContent()).toBe(account.address)
    expect(await modal(page).locator('[data-part="peer"]').textContent()).toBe(
      'Modal Test Wallet (self-declared name)',
    )
    expect(await page.evaluate(() => window.modalStates)).toEqual([
      'starting',
      'waiting',
      'answered',
      'codes',
      'confirmed',
      'connected',
    ])
    await shot(page, '1280-connected')
    await walletSession.disconnect()
  })

  it('390 px, dark: open-in-wallet link; "it does not" ends it on both sides; retry draws a new code', async () => {
    const page = await openPage(390, true, 'dark')
    await page.click('#connect')
    const uri = await scan(page)
    const open = modal(page).getByRole('link', { name: 'Open in wallet' })
    expect(await open.isVisible()).toBe(true)
    expect(await open.getAttribute('href')).toBe(uri)
    const box = (await modal(page).getByRole('dialog').boundingBox())!
    expect(box.x).toBeGreaterThanOrEqual(0)
    expect(box.x + box.width).toBeLessThanOrEqual(390)
    const background = await modal(page)
      .getByRole('dialog')
      .evaluate((el) => getComputedStyle(el).backgroundColor)
    expect(background).toBe('rgb(22, 25, 30)')
    await shot(page, '390-waiting-dark')

    const proposal = await wallet.pair(uri)
    const walletAnswer = proposal.approve().catch((e: unknown) => e)
    await state(page, 'codes')
    await shot(page, '390-codes-dark')
    await modal(page).getByRole('button', { name: 'It does not' }).click()
    await state(page, 'error')
    expect(await status(page)).toBe(
      'You said the codes differ: nothing was connected. Try again with a new code.',
    )
    expect(await modal(page).getAttribute('data-error-code')).toBe('USER_REJECTED')
    expect(await modal(page).locator('#status').getAttribute('role')).toBe('alert')
    expect(await walletAnswer).toMatchObject({ code: 'USER_REJECTED' })
    await shot(page, '390-error-dark')

    await modal(page).getByRole('button', { name: 'Try again' }).click()
    const second = await scan(page)
    expect(second).toMatch(/^pairline:1\?/)
    expect(second).not.toBe(uri)
  })

  it('a code answered by two wallets is burned; retry; Escape closes and connect rejects', async () => {
    const page = await openPage(1280, false)
    await page.click('#connect')
    const uri = await scan(page)
    const other = createWallet({
      metadata: { name: 'Another Wallet', url: 'https://other.example' },
      accounts: [account],
      chains: [31337],
    })
    await wallet.pair(uri)
    void other.pair(uri).catch(() => {})
    await state(page, 'error')
    expect(await modal(page).getAttribute('data-error-code')).toBe('PAIRING_BURNED')
    expect(await status(page)).toBe(
      'Another device answered this code, so it was burned and nothing was connected. Try again with a new code.',
    )
    await shot(page, '1280-burned')
    await other.close()
    await modal(page).getByRole('button', { name: 'Try again' }).click()
    await scan(page)
    // Tab stays inside the dialog
    for (let i = 0; i < 4; i++) await page.keyboard.press('Tab')
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('PAIRLINE-CONNECT')
    await page.keyboard.press('Escape')
    await page.locator('#result[data-status="closed"]').waitFor()
    expect(await page.locator('#result').textContent()).toBe('USER_REJECTED')
    expect(await modal(page).isHidden()).toBe(true)
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('connect')
  })

  it('an unreachable relay and an expired code each say what happened, with a retry', async () => {
    const down = await openPage(390, true, 'light', '?relay=ws://127.0.0.1:9')
    await down.click('#connect')
    await state(down, 'error')
    expect(await down.locator('pairline-connect').getAttribute('data-error-code')).toBe('RELAY_UNAVAILABLE')
    expect(await status(down)).toBe(
      'The Pairline relay cannot be reached. Check your connection and try again.',
    )
    expect(await modal(down).getByRole('button', { name: 'Try again' }).isVisible()).toBe(true)
    await shot(down, '390-relay-unreachable')

    const slow = await openPage(1280, false, 'light', '?approval=1')
    await slow.click('#connect')
    await wallet.pair(await scan(slow))
    await state(slow, 'error')
    expect(await modal(slow).getAttribute('data-error-code')).toBe('PAIRING_EXPIRED')
    expect(await status(slow)).toBe(
      'The code expired before the connection was confirmed. Try again with a new one.',
    )
  })

  it('passes axe-core (WCAG 2.1 A/AA) in the waiting, codes and error states', async () => {
    const page = await openPage(1280, false)
    await page.addScriptTag({ path: AXE })
    const audit = () =>
      page.evaluate(async () => {
        const axe = (
          window as unknown as {
            axe: { run(n: Element, o: object): Promise<{ violations: { id: string }[] }> }
          }
        ).axe
        const r = await axe.run(document.querySelector('pairline-connect')!, {
          runOnly: ['wcag2a', 'wcag2aa'],
        })
        return r.violations.map((v) => v.id)
      })
    await page.click('#connect')
    const uri = await scan(page)
    expect(await audit()).toEqual([])
    const proposal = await wallet.pair(uri)
    await state(page, 'codes')
    expect(await audit()).toEqual([])
    await proposal.reject()
    await state(page, 'error')
    expect(await status(page)).toBe('Your wallet declined the connection.')
    expect(await audit()).toEqual([])
  })
})
