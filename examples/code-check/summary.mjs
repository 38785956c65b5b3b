// The `code-check.summary` task: per-file diagnostics in, one report out.

/**
 * @param {{ languages: string[], results: Array<Array<{ file: string, language: string, diagnostics: Array<{ severity: string, line: number, character: number, message: string, code?: string | number }> }>> }} input
 */
export function summarize(input) {
  const perLanguage = {};
  const problems = [];
  let files = 0;
  for (const result of input.results.flat()) {
    files += 1;
    const lang = (perLanguage[result.language] ??= { files: 0, errors: 0, warnings: 0 });
    lang.files += 1;
    for (const d of result.diagnostics) {
      if (d.severity === 'error') lang.errors += 1;
      if (d.severity === 'warning') lang.warnings += 1;
      problems.push({
        file: result.file,
        line: d.line,
        character: d.character,
        severity: d.severity,
        message: d.message,
        ...(d.code === undefined ? {} : { code: d.code }),
      });
    }
  }
  const rank = { error: 0, warning: 1, information: 2, hint: 3 };
  problems.sort((a, b) => rank[a.severity] - rank[b.severity] || a.file.localeCompare(b.file) || a.line - b.line || a.character - b.character);
  const errors = problems.filter((p) => p.severity === 'error').length;
  const warnings = problems.filter((p) => p.severity === 'warning').length;
  return { ok: errors === 0, files, errors, warnings, languages: perLanguage, problems };
}
