// Owns which spellchecker dictionaries apply: the settings' choice, kept to the dictionaries this Electron has
// (Hunspell on Windows and Linux; setSpellCheckerLanguages throws on others). Electron-free.
import type { SpellcheckSettings } from '../../shared/model/settings'

/**
 * The dictionaries to use, or null to leave Electron's default (the system locale's dictionary) in place: when
 * the settings name none, or none of those named exists here. Codes match case-insensitively, and a bare
 * language ('fr') picks that language's first regional dictionary ('fr-FR') when there is no plain one.
 */
export function spellcheckLanguages(settings: SpellcheckSettings, available: readonly string[]): string[] | null {
  if (!settings.enabled || settings.languages.length === 0) return null
  const chosen: string[] = []
  for (const wanted of settings.languages) {
    const lower = wanted.toLowerCase()
    const match =
      available.find((code) => code.toLowerCase() === lower) ?? available.find((code) => code.toLowerCase().startsWith(`${lower}-`))
    if (match && !chosen.includes(match)) chosen.push(match)
  }
  return chosen.length > 0 ? chosen : null
}
