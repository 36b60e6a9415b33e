// Benchmark: wire size of one 40-character text message as a Parley protobuf Frame, as the JSON equivalent,
// and as an XMPP <message> stanza with a receipt request. Prints ONE JSON object on stdout.
import crypto from 'node:crypto'
import { clientIdToHex, encodeFrame } from '../../src/shared/proto/codec'

const TEXT = 'Are we still meeting at the cafe at 10?!'
if (TEXT.length !== 40) throw new Error('the benchmark text must be 40 characters')
/** A request id a client would reach after some minutes of use (2 varint bytes, not the best case of 1). */
const REQUEST_ID = 1_234

const clientId = new Uint8Array(crypto.randomBytes(16))

const textFrameBytes = encodeFrame({
  id: REQUEST_ID,
  send: { clientId, to: 'bob', body: { text: { text: TEXT } } }
}).byteLength

const jsonBytes = Buffer.byteLength(
  JSON.stringify({
    id: REQUEST_ID,
    send: { clientId: clientIdToHex(clientId), to: 'bob', chatType: 'single', body: { text: TEXT } }
  })
)

// XMPP as a typical client sends it: full JID with a resource, a UUID stanza id, XEP-0184 receipt request.
const xmppStanza =
  `<message xmlns='jabber:client' from='alice@chat.example.com/desktop-7d3f9a' to='bob@chat.example.com' ` +
  `type='chat' id='${crypto.randomUUID()}'><body>${TEXT}</body><request xmlns='urn:xmpp:receipts'/></message>`
const xmppBytes = Buffer.byteLength(xmppStanza)

console.log(JSON.stringify({ textFrameBytes, jsonBytes, xmppBytes }))
