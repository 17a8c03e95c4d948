// The CommonJS flavour: require('kilndb').
import kilndb = require('kilndb');

const db = kilndb.open({ mode: 'memory' });
const doc = db.collection('c').get('k');
const err = new kilndb.KilnError('x', 'KILN_CLOSED');
console.log(doc, err.code);
db.close();
