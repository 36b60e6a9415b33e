// Lint rules for the whole repo: typescript-eslint + eslint-plugin-vue, and the architecture's hard rule
// that the core (src/main/core), the server (src/server) and the browser host never import Electron.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import pluginVue from 'eslint-plugin-vue'
import vueParser from 'vue-eslint-parser'
import globals from 'globals'
import type { Linter } from 'eslint'

const electronFree: Linter.RulesRecord = {
  'no-restricted-imports': [
    'error',
    {
      paths: [{ name: 'electron', message: 'The core, server and browser host must stay Electron-free (see ARCHITECTURE.md).' }],
      patterns: [{ group: ['electron/*'], message: 'The core, server and browser host must stay Electron-free.' }]
    }
  ]
}

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'src/shared/proto/gen/**', '.parley-data/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...pluginVue.configs['flat/recommended'],
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error'
    }
  },
  {
    files: ['src/renderer/**/*.{ts,vue}'],
    languageOptions: {
      globals: { ...globals.browser },
      parser: vueParser,
      parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'], sourceType: 'module' }
    },
    rules: {
      'vue/no-v-html': 'error',
      'vue/multi-word-component-names': 'error',
      // Formatting is not the linter's job here.
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off'
    }
  },
  { files: ['src/main/core/**/*.ts', 'src/server/**/*.ts', 'src/host/**/*.ts'], rules: electronFree }
)
