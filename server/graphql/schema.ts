import { builder } from './builder.js';
import './types/auth.js';
import './types/providers.js';
import './types/models.js';
import './types/catalog.js';
import './types/models-import.js';
import './types/virtual-keys.js';
import './types/virtual-models.js';
import './types/prompt-rules.js';
import './types/settings.js';
import './types/health.js';
import './types/overview.js';
import './types/events.js';
import './types/logs.js';
import './types/usage.js';
import './types/playground.js';

export const schema = builder.toSchema({ sortSchema: true });
