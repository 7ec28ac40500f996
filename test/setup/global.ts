/**
 * Vitest global setup: makes the machine ready for the suite, so the README's test command passes
 * on a fresh machine with only Node 20 and npm. Chromium (Debian's `chromium`, never a downloaded
 * browser build) and redis-server are installed with apt when missing and allowed (root); else the
 * run fails at once with the command to run. A Redis is started for the run when none answers.
 */
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { commandExists } from './command.js'
import { ensureDebianPackage } from './debian.js'
import { answersPing, DEFAULT_REDIS, startRedisServer, stopChild } from './redis.js'

/** The browser test reads the same variable and default (examples/web-test/src/browser.test.ts). */
const chromiumPath = (): string => process.env.PAIRLINE_CHROMIUM ?? '/usr/bin/chromium'

async function ensureChromium(): Promise<void> {
  const custom = process.env.PAIRLINE_CHROMIUM
  await ensureDebianPackage({
    what: 'Chromium (the browser test)',
    aptPackage: 'chromium',
    isPresent: () => existsSync(chromiumPath()),
    ...(custom === undefined ? {} : { userChoice: `PAIRLINE_CHROMIUM=${custom} does not exist` }),
  })
}

/** Returns how to stop what it started (nothing when a Redis was already there or REDIS_URL is set). */
async function ensureRedis(): Promise<() => Promise<void>> {
  // The cluster and restart tests run redis-server and redis-cli of their own, whatever REDIS_URL says.
  await ensureDebianPackage({
    what: 'redis-server and redis-cli (the relay Redis tests)',
    aptPackage: 'redis-server',
    isPresent: () => commandExists('redis-server') && commandExists('redis-cli'),
  })
  if (process.env.REDIS_URL !== undefined) return async () => {}
  if (await answersPing(DEFAULT_REDIS.host, DEFAULT_REDIS.port)) return async () => {}
  const dir = await mkdtemp(join(tmpdir(), 'pairline-redis-'))
  const child = await startRedisServer(DEFAULT_REDIS.port, dir)
  console.info(`test setup: started redis-server on ${DEFAULT_REDIS.host}:${DEFAULT_REDIS.port} for this run`)
  return async () => {
    await stopChild(child)
    await rm(dir, { recursive: true, force: true })
  }
}

export default async function setup(): Promise<() => Promise<void>> {
  await ensureChromium()
  return ensureRedis()
}
