// Owns a loopback TCP proxy for attachment tests: every connection (HTTP and the WebSocket alike) passes through
// byte for byte, records the HTTP request heads it carries, can cut a matching answer after N bytes (a dropped
// download) and can slow what clients send (so a test can act in the middle of an upload).
import net, { type AddressInfo, type Socket } from 'node:net'

export interface CutRule {
  /** Matched against each request head (request line and headers) a client sends. */
  request: RegExp
  /** Bytes of the answer to let through before both sides of the connection are destroyed. */
  afterBytes: number
}

export class CuttingProxy {
  /** Every request head seen, in order (request line + headers). */
  readonly requests: string[] = []
  /** Bytes of answers relayed to clients for requests matching /GET \/attachments\// (what downloads cost). */
  downloadBytes = 0
  cuts = 0
  private readonly server: net.Server
  private readonly sockets = new Set<Socket>()
  private rules: CutRule[] = []
  /** Bytes per second clients may send (0 = no limit). */
  private upRate = 0

  private constructor(private readonly targetPort: number) {
    this.server = net.createServer((client) => this.relay(client))
  }

  static async start(targetPort: number): Promise<CuttingProxy> {
    const proxy = new CuttingProxy(targetPort)
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve))
    return proxy
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
  }

  /** The next answer to a request matching `rule.request` is cut after `rule.afterBytes` bytes (once). */
  cutNext(rule: CutRule): void {
    this.rules.push(rule)
  }

  /** Limits what clients send to `bytesPerSecond` (0 lifts it). */
  throttleUploads(bytesPerSecond: number): void {
    this.upRate = bytesPerSecond
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  private relay(client: Socket): void {
    const upstream = net.connect(this.targetPort, '127.0.0.1')
    this.sockets.add(client).add(upstream)
    let cutAfter: number | null = null
    let counting = false
    let head = ''
    const end = (): void => {
      client.destroy()
      upstream.destroy()
    }
    client.on('close', end).on('error', end)
    upstream.on('close', end).on('error', end)
    client.on('data', (chunk: Buffer) => {
      // Request heads: text up to the blank line (bodies of uploads pass without being read as heads).
      head += chunk.subarray(0, 4096).toString('latin1')
      for (let at = head.indexOf('\r\n\r\n'); at >= 0; at = head.indexOf('\r\n\r\n')) {
        const request = head.slice(0, at)
        head = ''
        if (!/^[A-Z]+ \/\S* HTTP\/1\.1/.test(request)) break
        this.requests.push(request)
        counting = /^GET \/attachments\//.test(request)
        const index = this.rules.findIndex((rule) => rule.request.test(request))
        if (index >= 0) cutAfter = this.rules.splice(index, 1)[0]!.afterBytes
      }
      if (head.length > 65_536) head = ''
      if (this.upRate > 0) {
        client.pause()
        upstream.write(chunk)
        setTimeout(() => client.resume(), (chunk.length / this.upRate) * 1000)
      } else {
        upstream.write(chunk)
      }
    })
    upstream.on('data', (chunk: Buffer) => {
      if (cutAfter !== null) {
        if (chunk.length >= cutAfter) {
          const part = chunk.subarray(0, cutAfter)
          if (counting) this.downloadBytes += part.length
          this.cuts += 1
          client.write(part, () => end())
          cutAfter = null
          return
        }
        cutAfter -= chunk.length
      }
      if (counting) this.downloadBytes += chunk.length
      client.write(chunk)
    })
  }
}
