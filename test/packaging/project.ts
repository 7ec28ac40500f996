/**
 * A fresh npm project in a temporary directory outside the workspace: only the tarballs and the
 * packages a user would add, installed by npm (the cache first: `--prefer-offline`).
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { type RunResult, run, runOk } from './run.js'

export type Project = { dir: string }

const NPM_FLAGS = ['--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'] as const

export async function freshProject(dir: string, install: readonly string[]): Promise<Project> {
  await mkdir(dir, { recursive: true })
  const manifest = { name: 'pairline-consumer', version: '0.0.0', private: true, type: 'module' }
  await writeFile(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`)
  // Outside the workspace, with a clean environment: no pnpm/npm settings inherited from `pnpm test`.
  await runOk('npm', ['install', ...NPM_FLAGS, ...install], { cwd: dir, env: cleanEnv() })
  return { dir }
}

/** The environment without what a `pnpm run` adds (npm_config_*, npm_package_*, …). */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_|pnpm_)/i.test(k)))
}

export type Imported = Record<string, { names: string[] } | { error: string; message: string }>

const PROBE = `const out = {}
for (const spec of JSON.parse(process.argv[2])) {
  try {
    out[spec] = { names: Object.keys(await import(spec)).sort() }
  } catch (err) {
    out[spec] = { error: String(err?.code ?? err?.name), message: String(err?.message) }
  }
}
console.log(JSON.stringify(out))
`

/** Imports each specifier in a plain Node ESM process in the project; reports names or the error. */
export async function importInNode(p: Project, specs: readonly string[]): Promise<Imported> {
  await writeFile(join(p.dir, 'probe.mjs'), PROBE)
  const r = await runOk(process.execPath, ['probe.mjs', JSON.stringify(specs)], {
    cwd: p.dir,
    env: cleanEnv(),
  })
  return JSON.parse(r.stdout) as Imported
}

/** The strictest settings a user may have, and `skipLibCheck: false`, so every .d.ts is checked. */
export function strictTsconfig(types: readonly string[]) {
  return {
    compilerOptions: {
      target: 'ES2022',
      lib: ['ES2022', 'DOM'],
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      exactOptionalPropertyTypes: true,
      noUncheckedIndexedAccess: true,
      noImplicitOverride: true,
      verbatimModuleSyntax: true,
      isolatedModules: true,
      skipLibCheck: false,
      noEmit: true,
      types,
    },
    include: ['src'],
  }
}

/** Writes `files` (relative paths) and runs the project's own `tsc -p .`. */
export async function typeCheck(
  p: Project,
  files: Record<string, string>,
  types: readonly string[],
): Promise<RunResult> {
  await writeFile(join(p.dir, 'tsconfig.json'), `${JSON.stringify(strictTsconfig(types), null, 2)}\n`)
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(p.dir, path)), { recursive: true })
    await writeFile(join(p.dir, path), text)
  }
  const tsc = join(p.dir, 'node_modules', 'typescript', 'bin', 'tsc')
  return run(process.execPath, [tsc, '-p', '.', '--pretty', 'false'], { cwd: p.dir, env: cleanEnv() })
}

/** A module that imports every entry point, so tsc loads (and checks) every published .d.ts. */
export function importEverySource(specs: readonly string[]): string {
  const lines = specs.map((s, i) => `import * as e${i} from '${s}'`)
  return `${lines.join('\n')}\n\nexport const entries = [${specs.map((_, i) => `e${i}`).join(', ')}] as const\n`
}
