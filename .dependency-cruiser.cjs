// Import rules for `npm run lint` (dependency-cruiser): no import circles, and no module imports
// from a layer above its own. Layers, bottom to top; a module may import its own layer and those below.
const LAYERS = [
  ['i18n', '^src/i18n/'],
  ['permissions', '^src/permissions\\.ts$'],
  ['errors', '^src/errors\\.ts$'],
  ['log', '^src/log\\.ts$'],
  ['lru', '^src/lru\\.ts$'],
  ['setup', '^src/setup/'],
  ['storage', '^src/storage/'],
  ['provisioning/http', '^src/provisioning/http/'],
  ['provisioning/clients', '^src/provisioning/clients/'],
  ['provisioning/observe', '^src/provisioning/observe/'],
  ['provisioning/run', '^src/provisioning/run/'],
  ['approvals', '^src/approvals/'],
  ['watch', '^src/watch/'],
  ['cards', '^src/cards/'],
  ['bot', '^src/bot/'],
  ['main', '^src/(main|index|server|config)\\.ts$'],
];

// config.ts is at the top (it parses the access policy and takes sandbox defaults from the seed), but
// the settings' shape (`import type { Config }`) may be read from any layer: that is no runtime dependency.
const CONFIG = '^src/config\\.ts$';

const upward = LAYERS.slice(0, -1).map(([name, path], i) => ({
  name: `upward-from-${name.replace('/', '-')}`,
  comment: `${name} may import only its own layer and those below it (${LAYERS.slice(0, i).map(([n]) => n).join(', ') || 'none'})`,
  severity: 'error',
  from: { path },
  to: { path: LAYERS.slice(i + 1).map(([, p]) => p) },
}));
const configValues = {
  name: 'config-values-only-at-the-top',
  comment: 'Below main/index/server, config.ts is imported for its types only.',
  severity: 'error',
  from: { path: '^src/', pathNot: LAYERS[LAYERS.length - 1][1] },
  to: { path: CONFIG, dependencyTypesNot: ['type-only'] },
};
for (const rule of upward) rule.to.pathNot = CONFIG;

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No import circles, type-only imports included.',
      severity: 'error',
      from: { path: '^(src|test|bench|scripts)/' },
      to: { circular: true },
    },
    ...upward,
    configValues,
    {
      name: 'sandbox-stands-alone',
      comment: 'The sandbox is a separate service: it imports nothing from the product.',
      severity: 'error',
      from: { path: '^src/sandbox/' },
      to: { path: '^src/', pathNot: '^src/sandbox/' },
    },
    {
      name: 'product-without-sandbox',
      comment:
        'The product does not use the sandbox, except config.ts, whose sandbox mode takes its defaults from the seed.',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/sandbox/', '^src/config\\.ts$'] },
      to: { path: '^src/sandbox/' },
    },
    {
      name: 'config-uses-only-seed-and-settings',
      severity: 'error',
      from: { path: '^src/config\\.ts$' },
      to: { path: '^src/sandbox/', pathNot: '^src/sandbox/(seed|settings)\\.ts$' },
    },
    {
      name: 'product-without-tests',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|bench|scripts)/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['main', 'types', 'typings'],
    },
    cache: { folder: 'node_modules/.cache/dependency-cruiser', strategy: 'metadata' },
  },
};
