'use client';

import { lintGutter } from '@codemirror/lint';
import { Annotation, Compartment, EditorState } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { basicSetup } from 'codemirror';
import { jsonSchema } from 'codemirror-json-schema';
import { useEffect, useRef } from 'react';
import schema from '../../../../rules/ruleset.schema.json';
import styles from './editor.module.css';

/** Marks a change that came from outside (the form), which must not be reported back as typing. */
const fromOutside = Annotation.define<boolean>();

interface JsonCodeEditorProps {
  text: string;
  /** True when the text on screen already says what `text` says (formatting aside): it is then left alone. */
  sameDocument(text: string): boolean;
  readOnly: boolean;
  labelledBy: string;
  describedBy: string;
  onText(text: string): void;
}

function accessibility(readOnly: boolean, labelledBy: string, describedBy: string) {
  return [
    EditorState.readOnly.of(readOnly),
    EditorView.editable.of(!readOnly),
    EditorView.contentAttributes.of({ 'aria-labelledby': labelledBy, 'aria-describedby': describedBy }),
  ];
}

/** CodeMirror 6 with JSON and the rule set's JSON Schema (validation, completion, hover help). */
export function JsonCodeEditor({ text, sameDocument, readOnly, labelledBy, describedBy, onText }: JsonCodeEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const settings = useRef(new Compartment());
  const latest = useRef({ text, sameDocument, readOnly, labelledBy, describedBy, onText });
  latest.current = { text, sameDocument, readOnly, labelledBy, describedBy, onText };

  useEffect(() => {
    if (!host.current) return;
    const initial = latest.current;
    const editor = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: initial.text,
        extensions: [
          basicSetup,
          jsonSchema(schema as Parameters<typeof jsonSchema>[0]),
          lintGutter(),
          settings.current.of(accessibility(initial.readOnly, initial.labelledBy, initial.describedBy)),
          EditorView.updateListener.of((update) => {
            if (update.docChanged && !update.transactions.some((transaction) => transaction.annotation(fromOutside)))
              latest.current.onText(update.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = editor;
    return () => {
      editor.destroy();
      view.current = null;
    };
  }, []);

  useEffect(() => {
    view.current?.dispatch({ effects: settings.current.reconfigure(accessibility(readOnly, labelledBy, describedBy)) });
  }, [readOnly, labelledBy, describedBy]);

  useEffect(() => {
    const editor = view.current;
    if (!editor) return;
    const current = editor.state.doc.toString();
    if (current === text || latest.current.sameDocument(current)) return;
    editor.dispatch({ changes: { from: 0, to: current.length, insert: text }, annotations: fromOutside.of(true) });
  }, [text]);

  return <div ref={host} className={styles.codeEditor} data-testid="json-code-editor" />;
}
