export { createModelAliases, namedAliases, type NamedAlias } from './model-aliases.js';
export { createModelSettings, modelSettingsEntrySchema, type ModelSettingsEntry } from './model-settings.js';
export { toAliasTable, toJson } from './parse-model-config.js';
