// start-network.mjs — @atproto/dev-env TestNetwork: PLC + PDS + Bluesky AppView (dataplane +
// firehose indexer) + bsync + Ozone, all on 127.0.0.1. Route "network" of tests/peers/bluesky.py.
// Adapted from shared/peers/bluesky/start-network.mjs. Needs Node >= 22 and PostgreSQL.
//
//   DB_POSTGRES_URL     e.g. postgresql://postgres@127.0.0.1:5432/test (required)
//   DB_POSTGRES_SCHEMA  default "lc<pid in letters>"; schemas appview_<s>, bsync_<s>, ozone_<s> are created.
//                       The default ones are dropped at shutdown, and leftovers of lc<pid> schemas
//                       whose process is gone (a killed run) are dropped at start.
//   NET_PLC_PORT, NET_PDS_PORT, NET_BSKY_PORT, NET_OZONE_PORT (defaults 2682..2685)
//   TMPDIR              where TestPds puts its SQLite files and blobs (use a scratch dir)
import net from 'node:net'

const t0 = performance.now()
const BIND_HOST = process.env.BIND_HOST || '127.0.0.1'
const origListen = net.Server.prototype.listen
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === 'number' && (args.length === 1 || typeof args[1] === 'function')) {
    args.splice(1, 0, BIND_HOST)
  } else if (args[0] && typeof args[0] === 'object' && !args[0].host && !args[0].path) {
    args[0] = { ...args[0], host: BIND_HOST }
  }
  return origListen.apply(this, args)
}

process.env.REDIS_HOST ||= 'unused.invalid' // asserted by TestNetwork.create(), never used
process.env.LOG_ENABLED ||= 'false'
// Schema names may only hold [A-Za-z_], so the pid is written with letters (0-9 -> a-j).
const pidTag = (pid) => String(pid).replace(/[0-9]/g, (d) => String.fromCharCode(97 + Number(d)))
const tagPid = (tag) => parseInt(tag.replace(/[a-j]/g, (c) => String(c.charCodeAt(0) - 97)), 10)
const ownSchema = `lc${pidTag(process.pid)}`
const schema = process.env.DB_POSTGRES_SCHEMA || ownSchema
const schemas = [`appview_${schema}`, `bsync_${schema}`, `ozone_${schema}`]
const pg = (await import('pg')).default

const alive = (pid) => {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return e.code === 'EPERM'
  }
}

const dropSchemas = async (names) => {
  const c = new pg.Client({ connectionString: process.env.DB_POSTGRES_URL })
  await c.connect()
  try {
    for (const s of names) await c.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`)
  } finally {
    await c.end()
  }
}

// The PLC is in memory, so rows left by an earlier run point at DIDs that no longer exist.
const staleSchemas = async () => {
  const c = new pg.Client({ connectionString: process.env.DB_POSTGRES_URL })
  await c.connect()
  try {
    const res = await c.query(
      "SELECT nspname FROM pg_namespace WHERE nspname ~ '^(appview|bsync|ozone)_lc[a-j]+$'",
    )
    return res.rows
      .map((r) => r.nspname)
      .filter((n) => !alive(tagPid(n.replace(/^.*_lc/, ''))))
  } finally {
    await c.end()
  }
}

if (process.env.NET_KEEP_DB !== '1') await dropSchemas([...schemas, ...(await staleSchemas())])
const { TestNetwork } = await import('@atproto/dev-env')

const int = (k, d) => parseInt(process.env[k] || String(d), 10)
const network = await TestNetwork.create({
  dbPostgresUrl: process.env.DB_POSTGRES_URL,
  dbPostgresSchema: schema,
  plc: { port: int('NET_PLC_PORT', 2682) },
  pds: { port: int('NET_PDS_PORT', 2683), inviteRequired: false },
  bsky: { port: int('NET_BSKY_PORT', 2684) },
  ozone: { port: int('NET_OZONE_PORT', 2685) },
})

const loopback = (url) => url.replace('//localhost:', `//${BIND_HOST}:`)
console.log(
  'READY ' +
    JSON.stringify({
      pds: loopback(network.pds.url),
      bsky: loopback(network.bsky.url),
      ozone: loopback(network.ozone.url),
      plc: loopback(network.plc.url),
      handleDomains: network.pds.ctx.cfg.identity.serviceHandleDomains,
      adminPassword: 'admin-pass', // @atproto/dev-env's fixed test value
      jwtSecret: 'jwt-secret', // @atproto/dev-env's fixed test value; lets tests mint expired tokens
      startupMs: Math.round(performance.now() - t0),
      pid: process.pid,
    }),
)

let closing = false
const shutdown = async (sig) => {
  if (closing) return
  closing = true
  console.log(`got ${sig}, shutting down`)
  try {
    await network.close()
  } catch (e) {
    console.error('close failed', e)
  }
  if (schema === ownSchema) {
    try {
      await dropSchemas(schemas)
    } catch (e) {
      console.error('dropping schemas failed', e)
    }
  }
  process.exit(0)
}
process.on('SIGTERM', () => shutdown('SIGTERM'))
process.on('SIGINT', () => shutdown('SIGINT'))

// Stop when the process that started us is gone (a killed pytest must not leave servers behind).
const parentPid = parseInt(process.env.PEER_PARENT_PID || '0', 10)
if (parentPid) {
  setInterval(() => {
    try {
      process.kill(parentPid, 0)
    } catch (e) {
      if (e.code === 'ESRCH') shutdown('parent exit')
    }
  }, 1000).unref()
}
