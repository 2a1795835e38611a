import { imageTag, isRestateService } from '../../restate/services.js';
import { isPinnedTag, removedRepositoryProblem } from '../../restate/settings.js';
import type { ServiceRule } from './rule.js';

// Docker's image reference grammar (distribution/reference): [host[:port]/]path[:tag][@digest].
const REFERENCE =
  /^(?:[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)*(?::[0-9]+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$/;

export const imageReference: ServiceRule = {
  id: 'image-reference',
  summary: 'every image is a reference Docker can pull (a variable in it that is unset or empty leaves one it refuses)',
  fix: 'set the variable the image names in .env, or give it a default (${NAME:-value})',
  each: 'service',
  check: (s) => {
    if (s.image === undefined || REFERENCE.test(s.image)) return [];
    return [
      {
        severity: 'error',
        rule: 'image-reference',
        service: s.name,
        message: `image "${s.image}" is no image reference (Docker refuses it: invalid reference format); Compose reads an unset variable as empty: is one in the image unset or empty in .env?`,
      },
    ];
  },
};

const isMinio = (image: string) => /(^|\/)minio\/(minio|mc)([:@]|$)/.test(image) || /(^|\/)minio([:@]|$)/.test(image);

export const imageTagRule: ServiceRule = {
  id: 'image-tag',
  summary: 'images are pinned to a release, not latest (an error for Restate and MinIO)',
  fix: 'pin a release tag',
  each: 'service',
  check: (s) => {
    // An image that is no reference at all is image-reference's finding, not a floating tag.
    if (!s.image || s.image.includes('@') || !REFERENCE.test(s.image)) return [];
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
