// Owns the operations routes of the HTTP server: /readyz (503 while draining or PostgreSQL is away) and /metrics
// (Prometheus text format), and the 503 every other request gets once the node drains (/healthz stays in app-server).
import type { IncomingHttpHeaders } from 'node:http'
import type { FastifyInstance } from 'fastify'
import type { Readiness } from '../ops/readiness'
import type { ServerMetrics } from '../ops/metrics'

export const READY_PATH = '/readyz'
export const METRICS_PATH = '/metrics'
/** Answered while draining: the probes, so a balancer sees the node leave. */
const PROBE_PATHS: ReadonlySet<string> = new Set(['/healthz', READY_PATH, METRICS_PATH])

export interface OpsRoutesDeps {
  readiness: Readiness
  metrics: ServerMetrics
}

export interface AppOpsDeps extends OpsRoutesDeps {
  /** The gateway addresses the login answer lists (PARLEY_GATEWAYS, or this node's own as the request reached it). */
  gatewaysFor(headers: IncomingHttpHeaders, encrypted: boolean): string[]
}

const readySchema = {
  response: {
    '2xx': {
      type: 'object',
      properties: { status: { const: 'ready' } },
      required: ['status']
    },
    '5xx': {
      type: 'object',
      properties: { status: { const: 'not-ready' }, reason: { type: 'string' } },
      required: ['status', 'reason']
    }
  }
} as const

const metricsSchema = { response: { 200: { type: 'string', description: 'Prometheus text exposition format 0.0.4' } } } as const

export function opsRoutes(app: FastifyInstance, deps: OpsRoutesDeps): void {
  // A draining node takes no new work over HTTP (sign-ins, uploads): the client goes to another node.
  app.addHook('onRequest', async (request, reply) => {
    if (!deps.readiness.draining) return
    const pathname = new URL(request.url, 'http://localhost').pathname
    if (PROBE_PATHS.has(pathname)) return
    return reply.code(503).header('connection', 'close').send({ code: 'DRAINING', message: 'This server is shutting down; try another one.' })
  })

  app.get(READY_PATH, { schema: readySchema }, async (_request, reply) => {
    const answer = await deps.readiness.check()
    if (answer.ready) return { status: 'ready' }
    return reply.code(503).send({ status: 'not-ready', reason: answer.reason ?? 'Not ready.' })
  })

  app.get(METRICS_PATH, { schema: metricsSchema }, async (_request, reply) => {
    const text = await deps.metrics.render()
    return reply.header('content-type', deps.metrics.contentType).send(text)
  })
}
