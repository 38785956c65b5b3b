/**
 * Unicode before any comparison: NFKC (decomposed accents compose, full-width forms become ASCII)
 * and every decimal digit (`\p{Nd}`: Arabic-Indic, Devanagari, mathematical…) read as 0–9, so
 * that `١٠٠`, `１００` and `100` are one number to the number kind and the number guard alike.
 */

const DIGIT = /\p{Nd}/u;
const NON_ASCII_DIGIT = /(?![0-9])\p{Nd}/gu;
const digitValues = new Map<string, string>();

/**
 * Unicode puts each script's decimal digits in a contiguous run 0–9, and adjacent runs (the
 * mathematical digits) start on a multiple of ten from the first: the value is the distance
 * from the run's start, modulo ten.
 */
function digitValue(ch: string): string {
  let v = digitValues.get(ch);
  if (v === undefined) {
    const cp = ch.codePointAt(0)!;
    let start = cp;
    while (start > 0 && DIGIT.test(String.fromCodePoint(start - 1))) start--;
    v = String((cp - start) % 10);
    digitValues.set(ch, v);
  }
  return v;
}

/** Every Unicode decimal digit as its ASCII digit. */
export function asciiDigits(s: string): string {
  return s.replace(NON_ASCII_DIGIT, digitValue);
}

/** NFKC with every decimal digit in ASCII: the form every string is compared in. */
export function unicodeForm(s: string): string {
  return asciiDigits(s.normalize('NFKC'));
}
