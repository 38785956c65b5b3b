/** The package's only door: the greeting plugin by default, the consumer and the service by name. */
import { greetingPlugin } from './greeting-plugin.js';

export default greetingPlugin;
export { greetingPlugin } from './greeting-plugin.js';
export { welcomePlugin } from './welcome-plugin.js';
export { GreetingService, ConfiguredGreetingService } from './greeting-service.js';
export { greetingConfigSchema, type GreetingConfig } from './config.js';
export { GreetingError, GreetingErrorCodes, type GreetingErrorCode } from './errors.js';
