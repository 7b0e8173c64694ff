-- A second test component, sharing the widgets' schema.
create table ${schema}.gizmo (id integer primary key);
