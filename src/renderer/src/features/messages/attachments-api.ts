// Owns the renderer's calls of the client attachment IPC (att-client's contract: staging a file, sending it,
// downloads and the `transfer` push) behind typed functions, so components never spell method names.
import { bridge } from '../../bridge'
import type { ChatMessage, ConversationKey } from '../../../../shared/model'

export type TransferWhich = 'file' | 'thumbnail' | 'poster'
export type TransferState = 'queued' | 'running' | 'done' | 'failed' | 'canceled'

/** The `transfer` push: one upload or download of one message's file, thumbnail or poster. */
export interface TransferEvent {
  transferId: string
  messageId: string
  attachmentId: string
  direction: 'upload' | 'download'
  which: TransferWhich
  state: TransferState
  transferred: number
  total: number
  error: string | null
  /** Where the renderer reads the cached file (<img>/<audio>/<video>), once there is one. */
  url: string | null
}

export type AttachmentKind = 'image' | 'voice' | 'video' | 'file'

export interface SendAttachmentArgs {
  conversation: ConversationKey
  kind: AttachmentKind
  stagedId: string
  width?: number
  height?: number
  durationMs?: number
  posterStagedId?: string
}

/** The methods of the contract this module uses: argument and result of each. */
interface AttachmentMethods {
  'attachments.stageBegin': [{ name: string; mime: string; size: number }, { stagedId: string }]
  'attachments.stageChunk': [{ stagedId: string; offset: number; bytes: Uint8Array }, unknown]
  'attachments.stageEnd': [{ stagedId: string }, unknown]
  'messages.sendAttachment': [SendAttachmentArgs, ChatMessage]
  'attachments.download': [{ messageId: string; which?: TransferWhich }, unknown]
  'attachments.cancel': [{ transferId: string }, unknown]
  'attachments.retry': [{ transferId: string }, unknown]
  'attachments.saveAs': [{ messageId: string }, unknown]
  'attachments.open': [{ messageId: string }, unknown]
  'attachments.showInFolder': [{ messageId: string }, unknown]
}
type AttachmentMethod = keyof AttachmentMethods

/**
 * The bridge seen loosely for these methods: the contract's entries for them are added by the attachment client's
 * branch (src/shared/ipc); until both are on main, the arguments and results are typed by AttachmentMethods above.
 */
interface LooseBridge {
  invoke(method: string, args: unknown): Promise<unknown>
  on(event: string, listener: (payload: unknown) => void): () => void
}
const loose = bridge as unknown as LooseBridge

export async function invokeAttachment<M extends AttachmentMethod>(method: M, args: AttachmentMethods[M][0]): Promise<AttachmentMethods[M][1]> {
  return (await loose.invoke(method, args)) as AttachmentMethods[M][1]
}

export function onTransfer(listener: (event: TransferEvent) => void): () => void {
  return loose.on('transfer', (payload) => listener(payload as TransferEvent))
}
