"""hcctrials.reports"""
