/** `@weft/plugin-lsp/languages`: language detection (extensions, shebangs) and the languages this process can serve. */
export { LanguageTable, BUILTIN_LANGUAGES, shebangInterpreter } from './language-table.js';
export { languageCapabilities } from './available-languages.js';
