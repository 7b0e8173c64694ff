-- A test component: the widgets table, version 1.
create table ${schema}.widget (
    id   integer primary key,
    name text not null
);
create index widget_name on ${schema}.widget (name);
