// An import of an absolute `/opt/<path>` in an AWS Lambda function (`import { postgres } from '/opt/shared.mjs'`)
// names a file of one of the function's layers: Lambda extracts every layer's archive into /opt of the execution
// environment (AWS's "Layer paths for each Lambda runtime"), so `/opt/shared.mjs` is `shared.mjs` at the root of a
// layer's content. The project holds that content as the folder its AWS SAM or CloudFormation template (template.yaml,
// template.yml or template.json, in a folder at or above the importer, within its repository) gives a layer resource: an
// `AWS::Serverless::LayerVersion`'s `ContentUri` or an `AWS::Lambda::LayerVersion`'s `Content`, as a local path (which
// `sam build` or `aws cloudformation package` zips). A layer SAM builds for Node (`BuildMethod: nodejs22.x`) has its
// folder copied under `nodejs/`, so `/opt/nodejs/<path>` is also `<path>` in the folder.
// A path written absolute in the template is often the author's own checkout (a dev container's
// `/workspaces/<repo>/layer/shared`): it is read as the longest tail of it that is a folder beside the template. The
// file must be there either way; nothing is guessed for an /opt path no layer folder of the project holds.
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { boundedText, folderEntries, isFile } from './folderEntries';
import { foldersUpToRoot } from './projectPaths';
import { PROJECT_CACHE_MS, TimedCache } from './timedCache';

/** Where Lambda mounts the layers of a function. */
const LAYER_MOUNT = '/opt/';
/** The folder SAM's Node build method puts a layer's files in (and Node's layer path, `nodejs/node_modules`, lives under). */
const NODE_LAYER_FOLDER = 'nodejs/';
/** The template names `sam build` and `sam deploy` look for by default. */
const TEMPLATE_NAMES = ['template.yaml', 'template.yml', 'template.json'];
/** How many folders above the importer a template may be (a handler in `functions/orders/src/` of the project). */
const MAX_TEMPLATE_DEPTH = 8;
const MAX_TEMPLATE_BYTES = 1_000_000;
const LAYER_TYPE = /^(\s*)Type:\s*["']?AWS::(?:Serverless|Lambda)::LayerVersion["']?\s*(?:#.*)?$/;
/** A layer's content as a plain local path (an S3 location or an intrinsic function such as `!Sub` names no folder). */
const CONTENT_PATH = /^\s*(?:ContentUri|Content):\s*["']?([^\s"'!{}[\]#][^\s"'#]*)["']?\s*(?:#.*)?$/;

/** The file of a layer folder of the project that `/opt/<path>` names in a Lambda function's code, when one holds it. */
export function lambdaLayerFile(importer: string, specifier: string, resolveFile: (base: string) => string | undefined): string | undefined {
  if (!specifier.startsWith(LAYER_MOUNT)) return undefined;
  const path = specifier.slice(LAYER_MOUNT.length);
  if (path === '' || path.split('/').includes('..')) return undefined;
  const inFolder = path.startsWith(NODE_LAYER_FOLDER) ? [path, path.slice(NODE_LAYER_FOLDER.length)] : [path];
  for (const folder of layerFolders(dirname(resolve(importer)))) {
    for (const relativePath of inFolder) {
      const file = resolveFile(join(folder, relativePath));
      if (file) return file;
    }
  }
  return undefined;
}

const foldersByTemplate = new TimedCache<string[]>(PROJECT_CACHE_MS, 64);

/**
 * The layer folders the templates at or above `start` declare, nearest template first. Not above the repository's root:
 * a template in a folder that holds the checkout (a parent project's) describes another project's functions.
 */
function layerFolders(start: string): string[] {
  return foldersUpToRoot(start, MAX_TEMPLATE_DEPTH).flatMap((folder) =>
    TEMPLATE_NAMES.map((name) => join(folder, name)).filter(isFile).flatMap((template) => foldersByTemplate.get(template, () => templateLayerFolders(template))));
}

/** The local folders a template gives its layer resources as content, absolute. */
function templateLayerFolders(template: string): string[] {
  const text = boundedText(template, MAX_TEMPLATE_BYTES);
  if (text === undefined) return [];
  const paths = template.endsWith('.json') ? jsonLayerContents(text) : yamlLayerContents(text);
  return paths.map((path) => layerFolder(dirname(template), path)).filter((folder): folder is string => folder !== undefined);
}

/**
 * The content paths of a YAML template's layer resources: the `ContentUri`/`Content` line inside the block of each
 * `Type: AWS::…::LayerVersion` line (the lines indented more than the resource's name, which is indented less than
 * its `Type`). Read line by line: CloudFormation's tags (`!Ref`, `!Sub`) are no YAML a plain parser takes.
 */
function yamlLayerContents(text: string): string[] {
  const lines = text.split(/\r?\n/);
  const indentOf = (line: string) => line.length - line.trimStart().length;
  const meaningful = (line: string) => line.trim() !== '' && !line.trimStart().startsWith('#');
  const contents: string[] = [];
  lines.forEach((line, index) => {
    const type = LAYER_TYPE.exec(line);
    if (!type) return;
    const typeIndent = type[1]!.length;
    let first = index;
    while (first > 0 && !(meaningful(lines[first - 1]!) && indentOf(lines[first - 1]!) < typeIndent)) first--;
    let end = index + 1;
    while (end < lines.length && !(meaningful(lines[end]!) && indentOf(lines[end]!) < typeIndent)) end++;
    for (const candidate of lines.slice(first, end)) {
      const content = CONTENT_PATH.exec(candidate);
      if (content) contents.push(content[1]!);
    }
  });
  return contents;
}

/** The content paths of a JSON template's layer resources. */
function jsonLayerContents(text: string): string[] {
  let resources: unknown;
  try {
    resources = JSON.parse(text)?.Resources;
  } catch {
    return [];
  }
  if (!resources || typeof resources !== 'object') return [];
  return Object.values(resources as Record<string, any>)
    .filter((resource) => /^AWS::(?:Serverless|Lambda)::LayerVersion$/.test(String(resource?.Type)))
    .map((resource) => resource?.Properties?.ContentUri ?? resource?.Properties?.Content)
    .filter((path): path is string => typeof path === 'string' && !/^s3:/i.test(path));
}

/** A content path as a folder of the project: relative to the template, or the longest tail of an absolute one found beside it. */
function layerFolder(templateFolder: string, path: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(path)) return undefined;
  if (!isAbsolute(path)) return resolve(templateFolder, path);
  const parts = path.split('/').filter((part) => part !== '' && part !== '.');
  for (let skipped = 1; skipped < parts.length; skipped++) {
    const folder = join(templateFolder, ...parts.slice(skipped));
    if (isFolderInside(templateFolder, folder)) return folder;
  }
  return undefined;
}

/** Whether `folder` lies under `root` and is a folder with something in it (an unreadable or missing one lists nothing). */
function isFolderInside(root: string, folder: string): boolean {
  return folder.startsWith(root + sep) && folderEntries(folder).length > 0;
}
