// Owns the rules of the device settings (src/shared/model/settings.ts) as zod schemas: the full shape a settings
// file must have, and the patch settings.update accepts, each with a sentence that says what is wrong.
import { z } from 'zod'
import { SERVER_URL_PATTERN } from '../limits'
import { DEVICE_SETTINGS_VERSION, type DeviceSettings, type DeviceSettingsPatch } from '../model/settings'
import {
  ABSOLUTE_PATH,
  AUTO_DOWNLOAD_MAX_BYTES,
  AUTO_DOWNLOAD_MIN_BYTES,
  FONT_SIZE_MAX_PX,
  FONT_SIZE_MIN_PX,
  isProxyUrl,
  LANGUAGE_TAG,
  MAX_PATH_CHARS,
  MAX_URL_CHARS,
  PROXY_URL_SCHEMES
} from './settings-rules'

export { AUTO_DOWNLOAD_MAX_BYTES, AUTO_DOWNLOAD_MIN_BYTES, FONT_SIZE_MAX_PX, FONT_SIZE_MIN_PX, isProxyUrl, PROXY_URL_SCHEMES }

const notifications = z.object({
  enabled: z.boolean(),
  content: z.enum(['senderAndText', 'senderOnly', 'nothing'], { message: 'Notification content must be senderAndText, senderOnly or nothing' }),
  sound: z.boolean(),
  mentionsInMuted: z.boolean()
})
const badge = z.object({ countMuted: z.boolean() })
const appearance = z.object({
  theme: z.enum(['light', 'dark', 'system'], { message: 'The theme must be light, dark or system' }),
  fontSizePx: z
    .number({ message: `The font size must be a number between ${FONT_SIZE_MIN_PX} and ${FONT_SIZE_MAX_PX}` })
    .int(`The font size must be a whole number of pixels`)
    .min(FONT_SIZE_MIN_PX, `The font size must be at least ${FONT_SIZE_MIN_PX} pixels`)
    .max(FONT_SIZE_MAX_PX, `The font size must be at most ${FONT_SIZE_MAX_PX} pixels`),
  locale: z.enum(['en', 'zh-CN'], { message: 'The language must be en or zh-CN' })
})
const downloads = z.object({
  folder: z
    .string()
    .max(MAX_PATH_CHARS, 'The download folder path is too long')
    .refine((path) => ABSOLUTE_PATH.test(path), 'The download folder must be an absolute path')
    .nullable(),
  autoDownloadMaxBytes: z
    .number({ message: 'The automatic download size must be a number of bytes' })
    .int('The automatic download size must be a whole number of bytes')
    .min(AUTO_DOWNLOAD_MIN_BYTES, 'The automatic download size cannot be negative')
    .max(AUTO_DOWNLOAD_MAX_BYTES, `The automatic download size must be at most ${AUTO_DOWNLOAD_MAX_BYTES / 1024 / 1024} MB`)
})
const startup = z.object({ launchAtLogin: z.boolean(), startMinimised: z.boolean(), closeToTray: z.boolean() })
const network = z.object({
  serverUrl: z
    .string()
    .trim()
    .max(MAX_URL_CHARS)
    .refine((url) => SERVER_URL_PATTERN.test(url), 'The server address must look like http://host:port')
    .nullable(),
  proxyMode: z.enum(['system', 'none', 'manual'], { message: 'The proxy mode must be system, none or manual' }),
  proxyUrl: z
    .string()
    .trim()
    .max(MAX_URL_CHARS)
    .refine(isProxyUrl, `The proxy address must look like http://host:port (${PROXY_URL_SCHEMES.join(', ')})`)
    .nullable()
})
const spellcheck = z.object({
  enabled: z.boolean(),
  languages: z.array(z.string().regex(LANGUAGE_TAG, 'A spellcheck language must be a language tag such as en-US')).max(16)
})

/** The whole settings, as a current settings file holds them (cross-field rules included). */
export const deviceSettingsSchema = z
  .object({
    version: z.literal(DEVICE_SETTINGS_VERSION),
    notifications,
    badge,
    appearance,
    downloads,
    startup,
    network,
    spellcheck
  })
  .superRefine((settings, context) => {
    if (settings.network.proxyMode === 'manual' && settings.network.proxyUrl === null) {
      context.addIssue({ code: 'custom', path: ['network', 'proxyUrl'], message: 'A manual proxy needs its address (http://host:port)' })
    }
  }) satisfies z.ZodType<DeviceSettings>

/** settings.update's argument: any fields of any sections (strict: an unknown field is a mistake, said so). */
export const deviceSettingsPatchSchema = z.strictObject({
  notifications: notifications.partial().strict().optional(),
  badge: badge.partial().strict().optional(),
  appearance: appearance.partial().strict().optional(),
  downloads: downloads.partial().strict().optional(),
  startup: startup.partial().strict().optional(),
  network: network.partial().strict().optional(),
  spellcheck: spellcheck.partial().strict().optional()
}) satisfies z.ZodType<DeviceSettingsPatch>

/** The first problem of a failed parse as one sentence. The messages above end without a full stop: the IPC boundary adds its own. */
export function settingsIssueSentence(error: z.ZodError): string {
  const issue = error.issues[0]
  if (!issue) return 'The settings are not valid.'
  const where = issue.path.map(String).join('.')
  return where ? `${where}: ${issue.message}.` : `${issue.message}.`
}
