// Owns the renderer's calls of the client attachment IPC used to send files (staging a file, then
// messages.sendAttachment) behind typed functions; downloads and transfers live in transfers-store.ts.
import { bridge } from '../../bridge'
import type { InvokeArgs } from '../../../../shared/ipc/contract'

export type { AttachmentWhich as TransferWhich } from '../../../../shared/model/attachments'

export type SendAttachmentArgs = InvokeArgs<'messages.sendAttachment'>
export type AttachmentKind = SendAttachmentArgs['kind']

export const invokeAttachment = bridge.invoke.bind(bridge)
