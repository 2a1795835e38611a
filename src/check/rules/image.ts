import { imageTag, isRestateService } from '../../restate/services.js';
import { isPinnedTag, removedRepositoryProblem } from '../../restate/settings.js';
import type { ServiceRule } from './rule.js';

const isMinio = (image: string) => /(^|\/)minio\/(minio|mc)([:@]|$)/.test(image) || /(^|\/)minio([:@]|$)/.test(image);

export const imageTagRule: ServiceRule = {
  id: 'image-tag',
  summary: 'images are pinned to a release, not latest (an error for Restate and MinIO)',
  fix: 'pin a release tag',
  each: 'service',
  check: (s) => {
    if (!s.image || s.image.includes('@')) return [];
    const tag = imageTag(s.image);
    if (isPinnedTag(tag)) return [];
    return [
      {
        severity: isRestateService(s) || isMinio(s.image) ? 'error' : 'warning',
        rule: 'image-tag',
        service: s.name,
        message: `${s.image} floats on latest: pin a release so the cluster does not change under you`,
      },
    ];
  },
};

export const imageRegistry: ServiceRule = {
  id: 'image-registry',
  summary: "no image comes from Docker Hub's removed minio/minio or minio/mc",
  fix: 'use quay.io/minio/… with a pinned RELEASE tag, or a mirror',
  each: 'service',
  check: (s) => {
    const repository = (s.image ?? '').split('@')[0]!.replace(/:[^:/]+$/, '');
    const problem = removedRepositoryProblem(repository);
    if (!problem) return [];
    return [
      {
        severity: 'error',
        rule: 'image-registry',
        service: s.name,
        message: problem,
      },
    ];
  },
};
