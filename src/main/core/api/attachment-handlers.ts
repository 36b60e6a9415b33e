// Owns the attachments.* invoke handlers and messages.sendAttachment behind the IPC contract, and the shell hooks
// they need (Electron: save dialog, open, show in folder; browser host: a download URL) — the rest is the core's.
import { AppError } from '../../../shared/errors'
import type { InvokeResults } from '../../../shared/ipc/contract'
import type { InvokeArgsOf, InvokeMethod } from '../../../shared/ipc/schemas'
import type { AttachmentWhich, ChatMessage, ConversationKey } from '../../../shared/model'
import { canonicalUserId } from '../../../shared/user-id'
import { parseTransferId, type AttachmentsClient, type CachedFile, type SendAttachmentArgs } from '../attachments'

/** What a shell does with a cached file beyond serving it (all optional: a shell without one says so). */
export interface AttachmentShellHooks {
  /** Electron: asks where to save (a dialog starting in startFolder, else Downloads) and copies the file there; the path, or null when canceled. */
  saveAs?(file: CachedFile, startFolder: string | null): Promise<string | null>
  /** Electron: opens the file with the system's app for it. */
  open?(file: CachedFile): Promise<void>
  /** Electron: shows the file in the system's file manager. */
  showInFolder?(file: CachedFile): void
  /** Browser host: the URL the browser downloads the cached file from. */
  downloadUrl?(messageId: string, which: AttachmentWhich): string
}

/** The client parts the handlers use (ChatClient has them; a test fake may not). */
export interface AttachmentCapableClient {
  readonly attachments?: AttachmentsClient
  sendAttachment?(args: Omit<SendAttachmentArgs, 'conversation'> & { conversation: ConversationKey }): Promise<ChatMessage>
  retry(messageId: string): Promise<ChatMessage>
}

type AttachmentMethod = Extract<InvokeMethod, `attachments.${string}` | 'messages.sendAttachment'>
type AttachmentHandlers = { [M in AttachmentMethod]: (args: InvokeArgsOf<M>) => Promise<InvokeResults[M]> }

const UNSUPPORTED_HERE = 'This is only available in the Parley desktop app.'

export function attachmentHandlers(
  client: () => AttachmentCapableClient,
  hooks: AttachmentShellHooks,
  canonical: (key: ConversationKey) => ConversationKey,
  /** Where "Save as" starts (the device setting downloads.folder); null: the shell's default (Downloads). */
  downloadFolder: () => string | null = () => null
): AttachmentHandlers {
  const attachments = (): AttachmentsClient => {
    const found = client().attachments
    if (!found) throw new AppError('INTERNAL', 'Attachments are not available in this version of Parley.')
    return found
  }
  const file = (messageId: string): Promise<CachedFile> => attachments().downloadAndWait(messageId, 'file')
  return {
    'attachments.stageBegin': (args) => attachments().stageBegin(args),
    'attachments.stageChunk': (args) => attachments().stageChunk(args),
    'attachments.stageEnd': ({ stagedId }) => attachments().stageEnd(stagedId),
    'messages.sendAttachment': async ({ conversation, replyTo, ...rest }) => {
      const target = client()
      if (!target.sendAttachment) throw new AppError('INTERNAL', 'Sending files is not available in this version of Parley.')
      const from = replyTo ? canonicalUserId(replyTo.from) : null
      return target.sendAttachment({
        ...rest,
        conversation: canonical(conversation),
        ...(replyTo && from ? { replyTo: { ...replyTo, from } } : {})
      })
    },
    'attachments.download': ({ messageId, which }) => attachments().download(messageId, which ?? 'file'),
    'attachments.cancel': ({ transferId }) => attachments().cancel(transferId),
    'attachments.retry': async ({ transferId }) => {
      const parsed = parseTransferId(transferId)
      if (!parsed) throw new AppError('NOT_FOUND', 'There is no such transfer.')
      if (parsed.direction === 'download') return attachments().retryDownload(transferId)
      await client().retry(parsed.messageId)
      return attachments().list().find((event) => event.transferId === transferId) ?? null
    },
    'attachments.saveAs': async ({ messageId }) => {
      if (hooks.downloadUrl) {
        await file(messageId)
        return { savedTo: null, downloadUrl: hooks.downloadUrl(messageId, 'file') }
      }
      if (!hooks.saveAs) throw new AppError('UNSUPPORTED', UNSUPPORTED_HERE)
      return { savedTo: await hooks.saveAs(await file(messageId), downloadFolder()), downloadUrl: null }
    },
    'attachments.open': async ({ messageId }) => {
      if (!hooks.open) throw new AppError('UNSUPPORTED', 'Opening files is only available in the Parley desktop app; use Save instead.')
      await hooks.open(await file(messageId))
    },
    'attachments.showInFolder': async ({ messageId }) => {
      if (!hooks.showInFolder) throw new AppError('UNSUPPORTED', 'Showing files in a folder is only available in the Parley desktop app; use Save instead.')
      hooks.showInFolder(await file(messageId))
    },
    'attachments.fileUrl': async ({ messageId, which }) => ({ url: await attachments().fileUrl(messageId, which ?? 'file') }),
    'attachments.transfers': async () => attachments().list(),
    'attachments.forget': ({ messageId }) => attachments().forget(messageId)
  }
}
