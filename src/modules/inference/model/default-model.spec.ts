import { DefaultModelNotServedError } from '../inference.errors';
import { chooseDefaultModel } from './default-model';

describe(chooseDefaultModel.name, () => {
  const preferred = 'spam-en';

  it('takes DEFAULT_MODEL when it is served, over the preferred model', () => {
    expect(chooseDefaultModel(['spam-en', 'lang-id'], { requested: 'lang-id', preferred })).toBe(
      'lang-id',
    );
  });

  it('fails, naming the model and those served, when DEFAULT_MODEL is not served', () => {
    const choose = () => chooseDefaultModel(['spam-en'], { requested: 'spam-fr', preferred });
    expect(choose).toThrow(DefaultModelNotServedError);
    expect(choose).toThrow('DEFAULT_MODEL "spam-fr" is not a served model (served: spam-en)');
  });

  it('takes the preferred model when DEFAULT_MODEL is unset and it is served', () => {
    expect(chooseDefaultModel(['lang-id', 'spam-en'], { requested: undefined, preferred })).toBe(
      'spam-en',
    );
  });

  it('takes the first served model, in the order given, when the preferred one is not served', () => {
    const served = ['lang-multi', 'bert-bench'];
    expect(chooseDefaultModel(served, { requested: undefined, preferred })).toBe('lang-multi');
  });

  it('has no default when nothing is served', () => {
    expect(chooseDefaultModel([], { requested: undefined, preferred })).toBeUndefined();
  });
});
