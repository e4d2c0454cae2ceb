// bodyFlow.armsApart: whether two statements of a PL/pgSQL body sit in arms of one branch that a single pass never
// both runs, so what the later one does cannot follow the earlier one on its way to a third statement.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { armsApart, flowEvents } from '../../../server/analysis/bodyFlow';

/** armsApart over a body whose statements are marked `«1»`, `«2»` and `«3»` (earlier, later, until). */
function apart(marked: string): boolean {
  const at = (mark: string) => marked.indexOf(mark);
  return armsApart(flowEvents(marked.replace(/«\d»/g, '   ')), at('«1»'), at('«2»'), at('«3»'));
}

test('statements in different arms of an IF, a CASE or a handler list are apart', () => {
  assert.equal(apart('begin\n if a then «1» x := 1;\n else «2» x := 2;\n end if;\n «3» perform f(x);\nend'), true);
  assert.equal(apart('begin\n if a then «1» x := 1;\n elsif b then\n  if c then «2» x := 2; end if;\n end if;\n «3» perform f(x);\nend'), true);
  assert.equal(apart('begin\n case x when 1 then «1» y := 1;\n when 2 then «2» y := 2;\n end case;\n «3» perform f(y);\nend'), true);
  assert.equal(apart('begin\n perform 1;\nexception when unique_violation then «1» y := 1;\n when others then «2» y := 2;\n «3» perform f(y);\nend'), true);
});

test('statements one pass can run in turn are not apart', () => {
  // The same arm, after the branch, or the other arm on a later pass of a loop that ends before the third.
  assert.equal(apart('begin\n if a then «1» x := 1; «2» x := 2;\n end if;\n «3» perform f(x);\nend'), false);
  assert.equal(apart('begin\n if a then «1» x := 1;\n else x := 0;\n end if;\n «2» x := 2;\n «3» perform f(x);\nend'), false);
  assert.equal(apart('begin\n loop\n  if a then «1» x := 1;\n  else «2» x := 2;\n  end if;\n end loop;\n «3» perform f(x);\nend'), false);
  // A handler of the block holding the first: an error after it leads there.
  assert.equal(apart('begin\n «1» x := 1;\nexception when others then «2» x := 2;\n «3» perform f(x);\nend'), false);
  // A loop's EXIT WHEN and a MERGE's WHEN MATCHED start no arm.
  assert.equal(apart('begin\n loop\n  if a then «1» x := 1;\n   exit when x > 0;\n   «2» x := 2;\n   «3» perform f(x);\n  end if;\n end loop;\nend'), false);
  assert.equal(apart('begin\n if a then «1» x := 1;\n  merge into t using s on t.id = s.id when matched then update set n = 1;\n  «2» x := 2;\n end if;\n «3» perform f(x);\nend'), false);
});
