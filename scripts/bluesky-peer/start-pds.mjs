// start-pds.mjs — a real @atproto/pds (SQLite + disk blobstore) plus a local did:plc directory
// (@did-plc/server, in-memory), both on 127.0.0.1. Route "pds" of tests/peers/bluesky.py.
// Adapted from shared/peers/bluesky/start-pds.mjs. Needs Node >= 22.
//
//   PLC_PORT (default 2582), PDS_PORT (default 2583)
//   PDS_LAB_DIR (default: a new temp dir)  SQLite DBs and blobs (wiped at start unless PDS_LAB_KEEP=1)
//   BIND_HOST (default 127.0.0.1)
//
// Prints one line `READY {json}` on stdout once both servers accept requests. No app.bsky.* reads
// here (no AppView): use start-network.mjs for notifications and threads.
import net from 'node:net'
import fs from 'node:fs'
import path from 'node:path'
import crypto from 'node:crypto'
import os from 'node:os'

const t0 = performance.now()
const BIND_HOST = process.env.BIND_HOST || '127.0.0.1'

// PlcServer.start() and PDS.start() call listen(port) without a host, which binds every
// interface. Force loopback (both call shapes).
const origListen = net.Server.prototype.listen
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === 'number' && (args.length === 1 || typeof args[1] === 'function')) {
    args.splice(1, 0, BIND_HOST)
  } else if (args[0] && typeof args[0] === 'object' && !args[0].host && !args[0].path) {
    args[0] = { ...args[0], host: BIND_HOST }
  }
  return origListen.apply(this, args)
}

const env = process.env
const setDefault = (k, v) => {
  if (env[k] === undefined || env[k] === '') env[k] = v
}
const hex32 = () => crypto.randomBytes(32).toString('hex')

const PLC_PORT = parseInt(env.PLC_PORT || '2582', 10)
const dataRoot = env.PDS_LAB_DIR
  ? path.resolve(env.PDS_LAB_DIR)
  : fs.mkdtempSync(path.join(os.tmpdir(), 'pds-'))
if (env.PDS_LAB_DIR && env.PDS_LAB_KEEP !== '1') fs.rmSync(dataRoot, { recursive: true, force: true })
fs.mkdirSync(path.join(dataRoot, 'pds'), { recursive: true })
fs.mkdirSync(path.join(dataRoot, 'blobs'), { recursive: true })

setDefault('PDS_HOSTNAME', 'localhost') // publicUrl http://localhost:<port>, no TLS
setDefault('PDS_PORT', '2583')
setDefault('PDS_DATA_DIRECTORY', path.join(dataRoot, 'pds'))
setDefault('PDS_BLOBSTORE_DISK_LOCATION', path.join(dataRoot, 'blobs'))
setDefault('PDS_JWT_SECRET', hex32())
setDefault('PDS_DPOP_SECRET', hex32())
setDefault('PDS_ADMIN_PASSWORD', 'admin-pass')
setDefault('PDS_PLC_ROTATION_KEY_K256_PRIVATE_KEY_HEX', hex32())
setDefault('PDS_DID_PLC_URL', `http://127.0.0.1:${PLC_PORT}`)
setDefault('PDS_SERVICE_HANDLE_DOMAINS', '.test') // handles like hospital.test (org.test is reserved)
setDefault('PDS_DEV_MODE', 'true')
setDefault('PDS_INVITE_REQUIRED', 'false')
setDefault('PDS_DISABLE_SSRF_PROTECTION', 'true')
setDefault('PDS_RATE_LIMITS_ENABLED', 'false')
setDefault('PDS_CRAWLERS', '') // never ping a relay
setDefault('LOG_ENABLED', 'false')

// Import after env is prepared (the logger reads LOG_* at import time).
const plc = (await import('@did-plc/server')).default
const { PDS, envToCfg, envToSecrets, readEnv } = await import('@atproto/pds')

const plcServer = plc.PlcServer.create({ db: plc.Database.mock(), port: PLC_PORT })
await plcServer.start()

const pdsEnv = readEnv()
const cfg = envToCfg(pdsEnv)
const pds = await PDS.create(cfg, envToSecrets(pdsEnv))
await pds.start()

console.log(
  'READY ' +
    JSON.stringify({
      pds: `http://${BIND_HOST}:${cfg.service.port}`,
      publicUrl: cfg.service.publicUrl,
      plc: env.PDS_DID_PLC_URL,
      handleDomains: cfg.identity.serviceHandleDomains,
      adminPassword: env.PDS_ADMIN_PASSWORD,
      jwtSecret: env.PDS_JWT_SECRET, // test-only: lets tests mint an expired access token
      dataDir: dataRoot,
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
    await pds.destroy()
  } catch (e) {
    console.error('pds.destroy failed', e)
  }
  try {
    await plcServer.destroy()
  } catch (e) {
    console.error('plc.destroy failed', e)
  }
  if (!env.PDS_LAB_DIR) fs.rmSync(dataRoot, { recursive: true, force: true })
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
