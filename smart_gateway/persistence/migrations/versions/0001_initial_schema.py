"""headquarter registry, TDIN, inbox, outbox and event log

Revision ID: 0001
Revises: 
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa

# Quantities are BigInteger millionths and instants timezone-aware UTC: see tables.py (Micro, UtcDateTime).


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('gw_company',
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('tier', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('erp_kind', sa.String(length=32), nullable=False),
    sa.Column('transport', sa.String(length=8), nullable=False),
    sa.Column('endpoint', sa.String(length=500), nullable=True),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_gw_company'))
    )
    op.create_table('gw_event',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('company', sa.String(length=32), nullable=True),
    sa.Column('instance_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('agent_id', sa.String(length=40), nullable=True),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gw_event'))
    )
    op.create_table('gw_inbox',
    sa.Column('company', sa.String(length=32), nullable=False),
    sa.Column('message_id', sa.String(length=64), nullable=False),
    sa.Column('operation', sa.String(length=32), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('response', sa.Text(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('company', 'message_id', name=op.f('pk_gw_inbox')),
    sqlite_with_rowid=False,
    )
    op.create_table('gw_nonce',
    sa.Column('nonce', sa.String(length=100), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('nonce', name=op.f('pk_gw_nonce'))
    )
    with op.batch_alter_table('gw_nonce', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gw_nonce_created_at'), ['created_at'], unique=False)

    op.create_table('gw_agreement',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('buyer', sa.String(length=32), nullable=False),
    sa.Column('supplier', sa.String(length=32), nullable=False),
    sa.Column('lead_time_days', sa.Integer(), nullable=False),
    sa.Column('max_quantity', sa.BigInteger(), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.ForeignKeyConstraint(['buyer'], ['gw_company.code'], name=op.f('fk_gw_agreement_buyer_gw_company')),
    sa.ForeignKeyConstraint(['supplier'], ['gw_company.code'], name=op.f('fk_gw_agreement_supplier_gw_company')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gw_agreement')),
    sa.UniqueConstraint('buyer', 'supplier', name='uq_gw_agreement_buyer_supplier')
    )
    op.create_table('gw_credential',
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('company', sa.String(length=32), nullable=True),
    sa.Column('is_admin', sa.Boolean(), nullable=False),
    sa.Column('secret', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['company'], ['gw_company.code'], name=op.f('fk_gw_credential_company_gw_company')),
    sa.PrimaryKeyConstraint('username', name=op.f('pk_gw_credential'))
    )
    op.create_table('gw_instance',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('company', sa.String(length=32), nullable=False),
    sa.Column('doc_type', sa.String(length=24), nullable=False),
    sa.Column('number', sa.String(length=35), nullable=False),
    sa.Column('partner', sa.String(length=32), nullable=True),
    sa.Column('state', sa.String(length=24), nullable=False),
    sa.Column('rush', sa.Boolean(), nullable=False),
    sa.Column('rush_rule', sa.String(length=200), nullable=True),
    sa.Column('quantity', sa.BigInteger(), nullable=False),
    sa.Column('referenced_quantity', sa.BigInteger(), nullable=False),
    sa.Column('partner_key', sa.String(length=160), nullable=True),
    sa.Column('issue_date', sa.Date(), nullable=False),
    sa.Column('requested_date', sa.Date(), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.Column('note', sa.String(length=512), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['company'], ['gw_company.code'], name=op.f('fk_gw_instance_company_gw_company')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gw_instance')),
    sa.UniqueConstraint('company', 'doc_type', 'number', name='uq_gw_instance_key')
    )
    op.create_table('gw_agent',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('use_case', sa.String(length=8), nullable=False),
    sa.Column('state', sa.String(length=24), nullable=False),
    sa.Column('location', sa.String(length=32), nullable=False),
    sa.Column('sender', sa.String(length=32), nullable=False),
    sa.Column('receiver', sa.String(length=32), nullable=False),
    sa.Column('forwarder', sa.String(length=32), nullable=False),
    sa.Column('sending_time', sa.DateTime(timezone=True), nullable=False),
    sa.Column('primary_key', sa.String(length=160), nullable=False),
    sa.Column('inter_company_fk', sa.String(length=160), nullable=True),
    sa.Column('source_instance_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('target_instance_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('reason', sa.String(length=512), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['receiver'], ['gw_company.code'], name=op.f('fk_gw_agent_receiver_gw_company')),
    sa.ForeignKeyConstraint(['sender'], ['gw_company.code'], name=op.f('fk_gw_agent_sender_gw_company')),
    sa.ForeignKeyConstraint(['source_instance_id'], ['gw_instance.id'], name=op.f('fk_gw_agent_source_instance_id_gw_instance')),
    sa.ForeignKeyConstraint(['target_instance_id'], ['gw_instance.id'], name=op.f('fk_gw_agent_target_instance_id_gw_instance')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gw_agent'))
    )
    with op.batch_alter_table('gw_agent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gw_agent_primary_key'), ['primary_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_gw_agent_source_instance_id'), ['source_instance_id'], unique=False)

    op.create_table('gw_agreement_item',
    sa.Column('agreement_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('item', sa.String(length=64), nullable=False),
    sa.Column('supplier_part', sa.String(length=64), nullable=True),
    sa.Column('unit_price', sa.BigInteger(), nullable=True),
    sa.Column('decoupling', sa.String(length=4), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['gw_agreement.id'], name=op.f('fk_gw_agreement_item_agreement_id_gw_agreement')),
    sa.PrimaryKeyConstraint('agreement_id', 'item', name=op.f('pk_gw_agreement_item'))
    )
    op.create_table('gw_instance_line',
    sa.Column('instance_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.Column('item', sa.String(length=64), nullable=False),
    sa.Column('description', sa.String(length=512), nullable=True),
    sa.Column('quantity', sa.BigInteger(), nullable=False),
    sa.Column('unit', sa.String(length=8), nullable=False),
    sa.Column('unit_price', sa.BigInteger(), nullable=True),
    sa.Column('requested_date', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['instance_id'], ['gw_instance.id'], name=op.f('fk_gw_instance_line_instance_id_gw_instance')),
    sa.PrimaryKeyConstraint('instance_id', 'line_no', name=op.f('pk_gw_instance_line')),
    sqlite_with_rowid=False,
    )
    op.create_table('gw_link',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('source_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('target_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('quantity', sa.BigInteger(), nullable=False),
    sa.Column('scope', sa.String(length=8), nullable=False),
    sa.ForeignKeyConstraint(['source_id'], ['gw_instance.id'], name=op.f('fk_gw_link_source_id_gw_instance')),
    sa.ForeignKeyConstraint(['target_id'], ['gw_instance.id'], name=op.f('fk_gw_link_target_id_gw_instance')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gw_link'))
    )
    with op.batch_alter_table('gw_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gw_link_source_id'), ['source_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_gw_link_target_id'), ['target_id'], unique=False)

    op.create_table('gw_outbox',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('message_id', sa.String(length=64), nullable=False),
    sa.Column('recipient', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('agent_id', sa.String(length=40), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['agent_id'], ['gw_agent.id'], name=op.f('fk_gw_outbox_agent_id_gw_agent')),
    sa.ForeignKeyConstraint(['recipient'], ['gw_company.code'], name=op.f('fk_gw_outbox_recipient_gw_company')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gw_outbox')),
    sa.UniqueConstraint('message_id', name=op.f('uq_gw_outbox_message_id'))
    )
    with op.batch_alter_table('gw_outbox', schema=None) as batch_op:
        batch_op.create_index('ix_gw_outbox_recipient_state', ['recipient', 'state', 'id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('gw_outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_gw_outbox_recipient_state')

    op.drop_table('gw_outbox')
    with op.batch_alter_table('gw_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gw_link_target_id'))
        batch_op.drop_index(batch_op.f('ix_gw_link_source_id'))

    op.drop_table('gw_link')
    op.drop_table('gw_instance_line')
    op.drop_table('gw_agreement_item')
    with op.batch_alter_table('gw_agent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gw_agent_source_instance_id'))
        batch_op.drop_index(batch_op.f('ix_gw_agent_primary_key'))

    op.drop_table('gw_agent')
    op.drop_table('gw_instance')
    op.drop_table('gw_credential')
    op.drop_table('gw_agreement')
    with op.batch_alter_table('gw_nonce', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gw_nonce_created_at'))

    op.drop_table('gw_nonce')
    op.drop_table('gw_inbox')
    op.drop_table('gw_event')
    op.drop_table('gw_company')

