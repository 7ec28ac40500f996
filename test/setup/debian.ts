/**
 * What the tests need from the machine, as Debian packages: installed with apt when missing and
 * this process may (root, apt-get present), else a failure that names the one command to run.
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'

const APT_GET = '/usr/bin/apt-get'

export type DebianNeed = {
  /** What it is for, in the message: "Chromium (the browser test)". */
  what: string
  /** The Debian package that provides it. */
  aptPackage: string
  isPresent: () => boolean
  /** Why apt must not be tried (a path the user chose that does not exist), or undefined. */
  userChoice?: string
}

export const installCommand = (aptPackage: string): string =>
  `sudo apt-get update && sudo apt-get install -y ${aptPackage}`

export const mayInstall = (): boolean => process.getuid?.() === 0 && existsSync(APT_GET)

function apt(args: readonly string[]): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(APT_GET, args, {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    })
    child.once('error', reject)
    child.once('close', resolve)
  })
}

/** Resolves once `need` is present; installs it first where allowed; otherwise throws how to. */
export async function ensureDebianPackage(need: DebianNeed, allowed = mayInstall()): Promise<void> {
  if (need.isPresent()) return
  if (need.userChoice !== undefined) throw new Error(`${need.what} is missing: ${need.userChoice}`)
  const command = installCommand(need.aptPackage)
  if (!allowed) {
    throw new Error(`${need.what} is missing and this user cannot install it. Run:\n\n  ${command}\n`)
  }
  console.info(`test setup: ${need.what} is missing; installing Debian's ${need.aptPackage} with apt-get`)
  const updated = await apt(['update'])
  const installed = updated === 0 ? await apt(['install', '-y', need.aptPackage]) : updated
  if (installed !== 0 || !need.isPresent()) {
    throw new Error(
      `installing ${need.aptPackage} failed (apt-get exited ${installed}). Run:\n\n  ${command}\n`,
    )
  }
}
