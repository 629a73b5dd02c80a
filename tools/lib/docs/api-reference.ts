/**
 * The construct package's API reference (infra/API.md), generated from the TSDoc of what its entry point
 * (infra/index.ts) exports: classes with their public properties, interfaces as tables of props with type,
 * default and description, and type aliases. `npm run docs` writes it; a test keeps it current and every prop
 * documented.
 */
import * as path from 'node:path';
import ts from 'typescript';
import { compilerOptionsOf } from '../../../build/construct-package.ts';
import { SETTINGS, contextValueText, defaultDoc, type Setting } from '../../../infra/settings.ts';

export const API_ENTRY = 'infra/index.ts';
export const API_REFERENCE_FILE = 'infra/API.md';

export interface DocumentedMember {
  readonly name: string;
  readonly type: string;
  readonly optional: boolean;
  readonly description: string;
  /** The `@default` tag's text; undefined when there is none. */
  readonly defaultValue: string | undefined;
}

export interface DocumentedExport {
  readonly name: string;
  readonly kind: 'class' | 'interface' | 'type';
  readonly description: string;
  /** Interface props, or a class's public properties. */
  readonly members: readonly DocumentedMember[];
  /** A class's constructor signature, or a type alias's definition. */
  readonly signature: string | undefined;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

function docsOf(node: ts.Node): { description: string; defaultValue: string | undefined } {
  // The comment right above the node: a file's header comment above its first declaration is not the latter's.
  const doc = ts.getJSDocCommentsAndTags(node).filter(ts.isJSDoc).at(-1);
  const description = doc === undefined ? '' : (ts.getTextOfJSDocComment(doc.comment) ?? '');
  const defaultTag = ts.getJSDocTags(node).find((tag) => tag.tagName.text === 'default');
  const defaultValue = defaultTag === undefined ? undefined : oneLine(ts.getTextOfJSDocComment(defaultTag.comment) ?? '');
  return { description: oneLine(description), defaultValue };
}

function memberOf(member: ts.PropertySignature | ts.PropertyDeclaration): DocumentedMember {
  return {
    name: member.name.getText(),
    type: oneLine(member.type?.getText() ?? 'unknown'),
    optional: member.questionToken !== undefined,
    ...docsOf(member),
  };
}

/** A method, documented by its signature: `name(params)` and what it returns. */
function methodOf(method: ts.MethodDeclaration): DocumentedMember {
  const parameters = method.parameters.map((p) => p.getText()).join(', ');
  return {
    name: `${method.name.getText()}(${oneLine(parameters)})`,
    type: oneLine(method.type?.getText() ?? 'void'),
    optional: false,
    ...docsOf(method),
  };
}

/** A property of the class's own public API: neither private, protected nor an override of its base class's. */
function isOwnPublic(member: ts.ClassElement): boolean {
  const modifiers = ts.canHaveModifiers(member) ? (ts.getModifiers(member) ?? []) : [];
  const hidden = [ts.SyntaxKind.PrivateKeyword, ts.SyntaxKind.ProtectedKeyword, ts.SyntaxKind.OverrideKeyword];
  return !modifiers.some((m) => hidden.includes(m.kind));
}

/** A union of literals reads best as its members (`'a' | 'b'`), whatever expression defines it. */
function aliasedType(checker: ts.TypeChecker, declaration: ts.TypeAliasDeclaration): string {
  const type = checker.getTypeAtLocation(declaration);
  if (type.isUnion() && type.types.every((member) => member.isLiteral())) {
    return type.types.map((member) => `'${String((member as ts.LiteralType).value)}'`).join(' | ');
  }
  return oneLine(declaration.type.getText());
}

/**
 * The properties of an object type given by an alias (such as `Partial<Omit<…>>` of a type the package does not
 * export), documented from the declarations they come from.
 */
function aliasedMembers(checker: ts.TypeChecker, declaration: ts.TypeAliasDeclaration): DocumentedMember[] {
  const type = checker.getTypeAtLocation(declaration);
  if (type.isUnion() || !(type.flags & ts.TypeFlags.Object)) return [];
  return checker.getPropertiesOfType(type).flatMap((property) => {
    const source = property.declarations?.[0];
    if (source === undefined || !ts.isPropertySignature(source)) return [];
    return [{ ...memberOf(source), optional: (property.flags & ts.SymbolFlags.Optional) !== 0 }];
  });
}

function documentDeclaration(checker: ts.TypeChecker, name: string, declaration: ts.Declaration): DocumentedExport | undefined {
  const { description } = docsOf(declaration);
  if (ts.isClassDeclaration(declaration)) {
    const constructor = declaration.members.find(ts.isConstructorDeclaration);
    const parameters = constructor?.parameters.map((p) => p.getText()).join(', ');
    return {
      name,
      kind: 'class',
      description,
      signature: parameters === undefined ? undefined : `new ${name}(${oneLine(parameters)})`,
      members: [
        ...declaration.members.filter(ts.isPropertyDeclaration).filter(isOwnPublic).map(memberOf),
        ...declaration.members.filter(ts.isMethodDeclaration).filter(isOwnPublic).map(methodOf),
      ],
    };
  }
  if (ts.isInterfaceDeclaration(declaration)) {
    return { name, kind: 'interface', description, signature: undefined, members: declaration.members.filter(ts.isPropertySignature).map(memberOf) };
  }
  if (ts.isTypeAliasDeclaration(declaration)) {
    return { name, kind: 'type', description, signature: `type ${name} = ${aliasedType(checker, declaration)}`, members: aliasedMembers(checker, declaration) };
  }
  return undefined;
}

/** What the package's entry point exports, in its order, with their TSDoc. */
export function documentExports(projectRoot: string): DocumentedExport[] {
  const entry = path.join(projectRoot, API_ENTRY);
  const program = ts.createProgram([entry], { ...compilerOptionsOf(projectRoot), noEmit: true });
  const checker = program.getTypeChecker();
  const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(entry)!);
  if (moduleSymbol === undefined) throw new Error(`${API_ENTRY} is not a module`);
  return checker.getExportsOfModule(moduleSymbol).flatMap((exported) => {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const declaration = symbol.declarations?.[0];
    const documented = declaration === undefined ? undefined : documentDeclaration(checker, exported.name, declaration);
    return documented === undefined ? [] : [documented];
  });
}

function settingOf(name: string): Setting | undefined {
  return Object.hasOwn(SETTINGS, name) ? (SETTINGS as Record<string, Setting>)[name] : undefined;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

function code(text: string): string {
  return `\`${cell(text)}\``;
}

/** The Markdown of infra/API.md. */
export function renderApiReference(exports: readonly DocumentedExport[]): string {
  const lines = [
    '# API reference: cdk-meter-firehose',
    '',
    '<!-- Generated from the TSDoc of infra/index.ts and what it exports, by `npm run docs`; do not edit. -->',
    '',
    'Every prop is validated when the construct is created; a value out of range throws `PipelineConfigError`, naming',
    'the prop. The defaults, ranges and cdk.json context keys of `MeterIngestionPipelineProps` come from the settings',
    'table (infra/settings.ts); a context key takes the value in the unit it names (README.md, "Configuration").',
    '',
  ];
  for (const exported of exports) {
    lines.push(`## ${exported.kind === 'type' ? 'Type' : exported.kind === 'class' ? 'Class' : 'Interface'} \`${exported.name}\``, '');
    if (exported.description !== '') lines.push(exported.description, '');
    if (exported.signature !== undefined) lines.push('```ts', exported.signature, '```', '');
    if (exported.members.length === 0) continue;
    if (exported.kind === 'interface' && exported.members.some((member) => settingOf(member.name) !== undefined)) {
      lines.push('| Prop | Type | Default | cdk.json key: value | Description |', '| --- | --- | --- | --- | --- |');
      for (const member of exported.members) {
        const entry = settingOf(member.name);
        const defaultValue = (entry === undefined ? member.defaultValue : defaultDoc(entry)) ?? (member.optional ? '' : '(required)');
        const key = entry === undefined ? '' : `${code(entry.contextKey)}: ${cell(contextValueText(entry))}`;
        lines.push(`| \`${member.name}\` | ${code(member.type)} | ${cell(defaultValue)} | ${key} | ${cell(member.description)} |`);
      }
    } else if (exported.kind === 'interface' || exported.kind === 'type') {
      lines.push('| Prop | Type | Default | Description |', '| --- | --- | --- | --- |');
      for (const member of exported.members) {
        const defaultValue = member.defaultValue ?? (member.optional ? '' : '(required)');
        lines.push(`| \`${member.name}\` | ${code(member.type)} | ${cell(defaultValue)} | ${cell(member.description)} |`);
      }
    } else {
      lines.push('| Property or method | Type | Description |', '| --- | --- | --- |');
      for (const member of exported.members) lines.push(`| \`${member.name}\` | ${code(member.type)} | ${cell(member.description)} |`);
    }
    lines.push('');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
