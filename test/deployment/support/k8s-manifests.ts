import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { ConfigMap, Namespace, PersistentVolumeClaim, Secret, Service } from 'kubernetes-models/v1';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { asString, at, isObject, type PlainObject } from './plain-data';
import { readYamlDocuments, repoPath } from './repo-files';

export const K8S_DIR = 'k8s';
export const KUSTOMIZATION = 'kustomization.yaml';

interface Validatable {
  validate(): void;
}

const model =
  <T>(ctor: new (data: T) => Validatable) =>
  (document: PlainObject): Validatable =>
    // validate() checks the document against the API schema; the cast only feeds it in.
    new ctor(document as T);

/** The API kinds Sift deploys, keyed `apiVersion/kind`: a manifest of any other kind fails. */
export const API_MODELS: Readonly<Record<string, (document: PlainObject) => Validatable>> = {
  'apps/v1/Deployment': model(Deployment),
  'v1/Service': model(Service),
  'v1/ConfigMap': model(ConfigMap),
  'v1/Secret': model(Secret),
  'v1/Namespace': model(Namespace),
  'v1/PersistentVolumeClaim': model(PersistentVolumeClaim),
  'autoscaling/v2/HorizontalPodAutoscaler': model(HorizontalPodAutoscaler),
  'policy/v1/PodDisruptionBudget': model(PodDisruptionBudget),
};

export interface Manifest {
  /** Repository-relative path of the file it came from. */
  readonly file: string;
  readonly document: PlainObject;
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
}

/** Every YAML file under k8s/, repository-relative and sorted. */
export function k8sYamlFiles(): string[] {
  return readdirSync(repoPath(K8S_DIR), { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.ya?ml$/.test(file))
    .map((file) => join(K8S_DIR, file))
    .sort();
}

/** The Kubernetes objects (not kustomization files) under k8s/. */
export function loadManifests(): Manifest[] {
  return k8sYamlFiles()
    .filter((file) => !file.endsWith(KUSTOMIZATION))
    .flatMap((file) =>
      readYamlDocuments(file)
        .filter((document) => document !== null)
        .map((document) => {
          if (!isObject(document)) throw new Error(`${file}: a document is not a mapping`);
          return {
            file,
            document,
            apiVersion: asString(document.apiVersion, `${file} apiVersion`),
            kind: asString(document.kind, `${file} kind`),
            name: asString(at(document, 'metadata.name'), `${file} metadata.name`),
          };
        }),
    );
}
