// Reads a Parquet file with DuckDB and prints JSON lines for the Go side
// (internal/testenv.ReadParquetWithDuckDB): one {"columns": [...]}, one
// {"metadata": {...}}, then one {"row": {...}} per row.
// Usage: node read_parquet.js FILE, with MLCTL_DUCKDB_NODE_API naming the
// @duckdb/node-api package directory.
const duckdb = require(process.env.MLCTL_DUCKDB_NODE_API);

async function main(file) {
  const instance = await duckdb.DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  const all = async (sql) => (await conn.runAndReadAll(sql, [file])).getRowObjectsJson();

  const columns = (await all('DESCRIBE SELECT * FROM read_parquet($1)'))
    .map((c) => ({ name: c.column_name, type: c.column_type }));
  const out = [JSON.stringify({ columns })];

  const metadata = {};
  const kv = await all(
    'SELECT coalesce(try(decode(key)), key::VARCHAR) AS key, ' +
    'coalesce(try(decode(value)), value::VARCHAR) AS value FROM parquet_kv_metadata($1)');
  for (const { key, value } of kv) metadata[key] = value;
  out.push(JSON.stringify({ metadata }));

  for (const row of await all('SELECT * FROM read_parquet($1)')) {
    out.push(JSON.stringify({ row }));
  }
  process.stdout.write(out.join('\n') + '\n');
  conn.closeSync();
  instance.closeSync();
}

main(process.argv[2]).catch((e) => {
  console.error(e && e.stack ? e.stack : String(e));
  process.exit(1);
});
