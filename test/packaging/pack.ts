/**
 * Builds every published workspace package (packages/* without `private`) from a clean `dist/` and
 * packs it with `pnpm pack`, which rewrites `workspace:*` to real versions as `pnpm publish` would.
 */
import { existsSync } from 'node:fs'
import { readdir, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { runOk } from './run.js'

export const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc')
/** The README sets pnpm up this way; nothing assumes a global pnpm. */
const PNPM = ['--yes', 'pnpm@12.4.2'] as const

export type Manifest = {
  name: string
  version: string
  private?: boolean
  license?: string
  exports: Record<string, { types: string; import: string } & Record<string, string>>
  bin?: Record<string, string>
  dependencies?: Record<string, string>
  devDependencies?: Record<string, string>
  peerDependencies?: Record<string, string>
  peerDependenciesMeta?: Record<string, { optional?: boolean }>
}

export type Packed = {
  dir: string
  manifest: Manifest
  tarball: string
  /** Paths inside the tarball, without the leading `package/`. */
  files: string[]
  /** Import specifiers, one per key of `exports` (`@pairline/sdk`, `@pairline/sdk/qr`, …). */
  entries: string[]
}

export const readJson = async <T>(path: string): Promise<T> => JSON.parse(await readFile(path, 'utf8')) as T

export const entryName = (pkg: string, key: string): string => (key === '.' ? pkg : `${pkg}/${key.slice(2)}`)

/** Published packages, each after the workspace packages it depends on (so their .d.ts exist). */
export async function publishedPackages(): Promise<{ dir: string; manifest: Manifest }[]> {
  const dirs = (await readdir(join(ROOT, 'packages'))).map((d) => join(ROOT, 'packages', d))
  const all = await Promise.all(
    dirs.map(async (dir) => ({ dir, manifest: await readJson<Manifest>(join(dir, 'package.json')) })),
  )
  const pending = all.filter((p) => p.manifest.private !== true)
  const ordered: typeof pending = []
  while (pending.length > 0) {
    const i = pending.findIndex((p) =>
      Object.keys(p.manifest.dependencies ?? {}).every((d) => !pending.some((q) => q.manifest.name === d)),
    )
    if (i < 0) throw new Error('the published packages depend on each other in a cycle')
    ordered.push(...pending.splice(i, 1))
  }
  return ordered
}

export async function buildAndPack(destination: string): Promise<Packed[]> {
  const packed: Packed[] = []
  const built: string[] = []
  for (const { dir, manifest } of await publishedPackages()) {
    // A clean build: a stale dist/ file (a module since renamed) must not reach the tarball.
    if (!existsSync(join(dir, 'dist'))) built.push(join(dir, 'dist'))
    await rm(join(dir, 'dist'), { recursive: true, force: true })
    await runOk(process.execPath, [TSC, '-p', 'tsconfig.build.json'], { cwd: dir })
    await runOk('npx', [...PNPM, 'pack', '--pack-destination', destination], { cwd: dir })
    const tarball = join(destination, `${manifest.name.slice(1).replace('/', '-')}-${manifest.version}.tgz`)
    const listing = await runOk('tar', ['-tzf', tarball], { cwd: destination })
    const files = listing.stdout
      .split('\n')
      .filter(Boolean)
      .map((f) => f.replace(/^package\//, ''))
    const entries = Object.keys(manifest.exports).map((key) => entryName(manifest.name, key))
    packed.push({ dir, manifest, tarball, files, entries })
  }
  // Leave the tree as it was found: no dist/ where there was none.
  await Promise.all(built.map((d) => rm(d, { recursive: true, force: true })))
  return packed
}

/** The manifest as it is inside the tarball (workspace ranges replaced). */
export async function packedManifest(p: Packed, scratch: string): Promise<Manifest> {
  await runOk('tar', ['-xzf', p.tarball, '-C', scratch, 'package/package.json'], { cwd: scratch })
  return readJson<Manifest>(join(scratch, 'package', 'package.json'))
}
