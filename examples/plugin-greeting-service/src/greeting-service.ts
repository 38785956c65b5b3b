/** The shared service: an interface, its typed DI token, and the implementation. */
import type { InjectionToken } from 'tsyringe';
import type { GreetingConfig } from './config.js';
import { GreetingError } from './errors.js';

export interface GreetingService {
  /** Languages this service can greet in. */
  languages(): readonly string[];
  /** `Hello, Ada!`; throws ACME_GREETING_LANGUAGE_UNKNOWN for a language not configured. */
  greet(name: string, language?: string): string;
}

/** Other plugins inject the service with `ctx.resolve(GreetingService)`. */
export const GreetingService: InjectionToken<GreetingService> = Symbol.for('acme.weft-plugin-greeting-service.GreetingService');

export class ConfiguredGreetingService implements GreetingService {
  constructor(private readonly config: GreetingConfig) {}

  languages(): readonly string[] {
    return Object.keys(this.config.greetings).sort();
  }

  greet(name: string, language = this.config.defaultLanguage): string {
    const template = this.config.greetings[language];
    if (template === undefined) {
      throw new GreetingError(
        'ACME_GREETING_LANGUAGE_UNKNOWN',
        `No greeting for language "${language}" (configured: ${this.languages().join(', ')}). Add it under greetings in the plugin's config.`,
      );
    }
    return `${template.replaceAll('{name}', name)}${this.config.punctuation}`;
  }
}
