// The image names the generated files use, from the generator's own defaults (the build's
// dist/plan/defaults.js), as shell assignments for images.sh.
import * as defaults from '../../dist/plan/defaults.js';

// The rolling-upgrade drill starts a cluster one minor version back and upgrades it.
export const UPGRADE_FROM = '1.6.2';

const names = {
  restate: `${defaults.RESTATE_IMAGE_REPOSITORY}:${defaults.DEFAULT_RESTATE_VERSION}`,
  restatePrevious: `${defaults.RESTATE_IMAGE_REPOSITORY}:${UPGRADE_FROM}`,
  restatePreviousVersion: UPGRADE_FROM,
  minio: `${defaults.DEFAULT_MINIO_IMAGE}:${defaults.DEFAULT_MINIO_VERSION}`,
  haproxy: defaults.LOAD_BALANCER_IMAGE,
  prometheus: defaults.PROMETHEUS_IMAGE,
  grafana: defaults.GRAFANA_IMAGE,
  counter: 'gen-compose-engine/counter-service:local',
};
for (const [name, value] of Object.entries(names)) console.log(`${name}='${value}'`);
